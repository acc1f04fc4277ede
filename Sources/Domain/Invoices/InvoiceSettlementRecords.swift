import YibaoLedger
/// Builds the ledger records of each operation, ready for `SignedBatch.signing` (the caller signs the batch with
/// its org's key; one batch may mix operations, each record then lands or fails on its own).
public enum InvoiceSettlementRecords {
    /// 票据蓝票上链: one record per blue invoice.
    public static func issue(_ invoices: [Invoice]) -> [LedgerRecord] {
        invoices.map { LedgerRecord(kind: .invoiceIssued, payload: $0.encoded) }
    }

    /// 冲红: the red invoice, naming the blue one in `related_invoice_*`.
    public static func reverse(_ red: Invoice) -> LedgerRecord {
        LedgerRecord(kind: .invoiceReversed, payload: red.encoded)
    }

    public static func exchangePaper(_ exchange: PaperExchange) -> LedgerRecord {
        LedgerRecord(kind: .invoicePaperExchanged, payload: exchange.encoded)
    }

    /// Lock, unlock, record entry (入账) or revoke entry, by the action in the payload.
    public static func statusChange(_ change: InvoiceStatusChange) -> LedgerRecord {
        LedgerRecord(kind: .recording(change.action), payload: change.encoded)
    }

    public static func statusChange(_ action: InvoiceAction, _ reference: InvoiceReference, operatedTime: String = "",
                                    remark: String = "") -> LedgerRecord {
        statusChange(InvoiceStatusChange(action: action, reference: reference, operatedTime: operatedTime, remark: remark))
    }

    /// 票据关联结算信息: for an invoice issued without `setl_id`.
    public static func link(_ reference: InvoiceReference, setlId: String) -> LedgerRecord {
        LedgerRecord(kind: .invoiceSettlementLinked, payload: InvoiceSettlementLink(reference: reference, setlId: setlId).encoded)
    }

    /// 本地/异地结算信息上链: one record per settlement.
    public static func upload(_ settlements: [Settlement]) -> [LedgerRecord] {
        settlements.map { LedgerRecord(kind: .settlementUploaded, payload: $0.encoded) }
    }

    public static func revoke(_ revocation: SettlementRevocation) -> LedgerRecord {
        LedgerRecord(kind: .settlementRevoked, payload: revocation.encoded)
    }
}
