import YibaoCrypto
import YibaoLedger

extension AggregateRegistration {
    /// Invoices and settlements (kinds 100–111): one aggregate, since a settlement's upload completes its invoices'
    /// links and an invoice's link names a settlement, inside one apply.
    static let invoicesAndSettlements = AggregateRegistration(
        name: "invoices and settlements", kinds: EntryKind.invoiceAndSettlementKinds,
        databaseNames: InvoiceSettlementStore.databaseNames,
        operations: [.issueInvoice, .reverseInvoice, .exchangePaper, .lockInvoice, .unlockInvoice, .recordInvoiceEntry,
                     .revokeInvoiceEntry, .linkInvoiceSettlement, .uploadSettlement, .revokeSettlement],
        admit: InvoiceSettlementAggregate.admit, apply: InvoiceSettlementAggregate.apply)
}

/// The admit / apply pair of the invoice and settlement kinds. `admit` runs the stateless checks on the caller's
/// thread (decoding, field rules, whether the org's role may ever do this) and hands `apply` the record prepared
/// (`PreparedRecord`: the keyed hashing its state needs runs here, in parallel across callers, not on the single
/// writer); `apply` runs in the writer's transaction, in ledger order, against the stored state
/// (`InvoiceSettlementStore`) through the pure lifecycles, and attaches the record to its person's digital account.
enum InvoiceSettlementAggregate {
    @Sendable
    static func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity, caller: Result<Caller, LedgerError>,
                      dataKey: NodeDataKey?) -> Result<PreparedRecord?, LedgerError> {
        Result { () throws(LedgerError) in
            let caller = try caller.get()
            let decoded = try InvoiceSettlementRecord(kind: record.kind, payload: record.payload, position: position)
            try check(decoded, position: position, by: caller)
            return try PreparedRecord(decoded, payload: record.payload, by: caller, dataKey: dataKey)
        }
    }

    /// Field rules and the permission matrix. Who owns the record is known here only for new records; for the rest
    /// the writer checks it.
    static func check(_ decoded: InvoiceSettlementRecord, position: Int, by caller: Caller) throws(LedgerError) {
        try decoded.validate(at: "records[\(position)]")
        let ownership: RecordOwnership = switch decoded {
        case .issue(let invoice), .reverse(let invoice): .of(invoice)
        case .upload(let settlement): .ofSettlement(fixmedinsCode: settlement.fixmedinsCode)
        default: .ownedBy(caller)
        }
        _ = try PermissionMatrix.authorize(caller, decoded.operation, ownership)
    }

    @Sendable
    static func apply(_ record: AppliedRecord, admitted: PreparedRecord?, in state: StateTransaction) throws -> ApplyOutcome {
        // Admission's preparation when the writer has it; on replay (the verifier) the payload is prepared here.
        let prepared = try admitted ?? PreparedRecord(
            InvoiceSettlementRecord(kind: record.kind.rawValue, payload: record.payload, position: record.position),
            payload: record.payload, by: DomainCaller.caller(record.org), dataKey: state.dataKey)
        let outcome = try apply(prepared, record, in: state)
        if outcome == .append { try attachToAccounts(prepared, record, in: state) }
        return outcome
    }

    /// 归户 in the same transaction, once the record's own state is written (it never refuses).
    private static func attachToAccounts(_ prepared: PreparedRecord, _ record: AppliedRecord, in state: StateTransaction) throws {
        let accounts = DigitalAccounts(state: state, key: try state.personIndexKey)
        switch prepared.record {
        case .issue(let invoice), .reverse(let invoice): try accounts.attach(invoice: invoice, prepared, by: record)
        case .upload: try accounts.attach(settlement: prepared, by: record)
        default: break
        }
    }

    private static func apply(_ prepared: PreparedRecord, _ record: AppliedRecord, in state: StateTransaction) throws -> ApplyOutcome {
        let transition = InvoiceSettlementTransition(store: InvoiceSettlementStore(state: state), record: record,
                                                     prepared: prepared)
        switch prepared.record {
        case .issue(let invoice): return try transition.issue(invoice)
        case .reverse(let red): return try transition.reverse(red)
        case .exchangePaper(let exchange): return try transition.change(exchange.command, .exchangePaper)
        case .statusChange(let change): return try transition.change(change.command, prepared.record.operation)
        case .link(let link): return try transition.link(link)
        case .upload(let settlement): return try transition.upload(settlement)
        case .revokeSettlement(let revocation): return try transition.revoke(revocation)
        }
    }
}
