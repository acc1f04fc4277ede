/// A state record read to answer a caller, held against the entry it came from before it is served: the digest the
/// state keeps of the issued invoice (or uploaded settlement) and the fields it copies from it must be those of the
/// entry's payload, which `EntryPayloadReader` has just re-hashed against the entry's Merkle leaf. A record altered
/// on disk is `dataLoss` naming its state key, the field and the entry. What later entries changed (status, lock
/// holder) is not re-derived here; `yibao verify` and `--verify-on-start full` replay it.
import YibaoLedger
enum StateRecordCheck {
    static func invoice(_ state: InvoiceState, issued invoice: Invoice, at index: UInt64) throws {
        try check("invoices[\(state.key)]", "issuing", index, [
            ("key", state.key == invoice.key),
            ("content_digest", state.contentDigest == invoice.contentDigest),
            ("check_code", state.checkCode == invoice.checkCode),
            ("colour", state.colour == invoice.colour),
            ("reverses", state.reverses == invoice.relatedKey),
            // Empty in states written before the field was kept.
            ("invoicing_party", state.invoicingParty.isEmpty || state.invoicingParty == invoice.invoicingPartyCode),
        ])
    }

    static func settlement(_ state: SettlementState, uploaded settlement: Settlement, at index: UInt64) throws {
        try check("settlements[\(state.setlId)]", "uploading", index, [
            ("setl_id", state.setlId == settlement.setlId),
            ("content_digest", state.contentDigest == settlement.contentDigest),
            ("fixmedins_code", state.fixmedinsCode == settlement.fixmedinsCode),
            ("mdtrt_id", state.mdtrtId == settlement.mdtrtId),
            ("psn_no", state.psnNo == settlement.psnNo),
        ])
    }

    /// `fields`: each copied field and whether it matches the entry; the first that does not is named.
    private static func check(_ record: String, _ entryRole: String, _ index: UInt64, _ fields: [(String, Bool)]) throws {
        guard let (field, _) = fields.first(where: { !$0.1 }) else { return }
        throw LedgerError(.dataLoss, "state: \(record).\(field) does not match the \(entryRole) entry \(index) "
                          + "(the state record was altered on disk)")
    }
}
