import YibaoCrypto

/// The invoice and settlement rules of DOMAIN 4 on the ledger. `admit` runs the stateless checks on the caller's
/// thread (decoding, field rules, whether the org's role may ever do this); `apply` runs in the single writer's
/// transaction, in ledger order, against the stored state (`InvoiceSettlementStore`) through the pure lifecycles.
/// Configure a ledger with `InvoiceSettlementService.configuration()` (or set `stateMachine` yourself).
public struct InvoiceSettlementRules: LedgerStateMachine {
    /// Invoices that may name one settlement (a blue, its red, a corrected blue, ...): bounds the work of the
    /// upload that completes their links and the size of a settlement's link list.
    public static let maxInvoicesPerSettlement = 32

    public init() {}

    public var databaseNames: [String] { InvoiceSettlementStore.databaseNames }
    public var kinds: [EntryKind] { EntryKind.invoiceAndSettlementKinds }

    public func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity) -> LedgerError? {
        do throws(LedgerError) {
            let caller = try DomainCaller.caller(org)
            let decoded = try InvoiceSettlementRecord(kind: record.kind, payload: record.payload, position: position)
            try decoded.validate(at: "records[\(position)]")
            // Who owns the record is known here only for new records; for the rest the writer checks it.
            let ownership: RecordOwnership = switch decoded {
            case .issue(let invoice), .reverse(let invoice): .of(invoice)
            case .upload(let settlement): .ofSettlement(fixmedinsCode: settlement.fixmedinsCode)
            default: .ownedBy(caller)
            }
            _ = try PermissionMatrix.authorize(caller, decoded.operation, ownership)
            return nil
        } catch {
            return error
        }
    }

    public func apply(_ record: AppliedRecord, in state: StateTransaction) throws -> ApplyOutcome {
        let decoded = try InvoiceSettlementRecord(kind: record.kind.rawValue, payload: record.payload, position: record.position)
        let transition = InvoiceSettlementTransition(store: InvoiceSettlementStore(state: state), record: record,
                                                     caller: try DomainCaller.caller(record.org))
        switch decoded {
        case .issue(let invoice): return try transition.issue(invoice)
        case .reverse(let red): return try transition.reverse(red)
        case .exchangePaper(let exchange): return try transition.change(exchange.command, .exchangePaper)
        case .statusChange(let change): return try transition.change(change.command, decoded.operation)
        case .link(let link): return try transition.link(link)
        case .upload(let settlement): return try transition.upload(settlement)
        case .revokeSettlement(let revocation): return try transition.revoke(revocation)
        }
    }
}
