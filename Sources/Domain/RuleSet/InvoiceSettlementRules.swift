import YibaoCrypto
import YibaoLedger

/// The invoice and settlement rules of docs/requirements.md, Lifecycles on the ledger. `admit` runs the stateless checks on the caller's
/// thread (decoding, field rules, whether the org's role may ever do this); `apply` runs in the single writer's
/// transaction, in ledger order, against the stored state (`InvoiceSettlementStore`) through the pure lifecycles.
/// Configure a ledger with `InvoiceSettlementService.configuration()` (or set `stateMachine` yourself).
///
/// The same machine keeps the digital accounts (`DigitalAccounts`, attached inside the entry that records the
/// invoice or settlement) and the authorization kinds (`AuthorizationRules`), keyed by the person index derived
/// from the node's data key.
public struct InvoiceSettlementRules: LedgerStateMachine {
    /// Invoices that may name one settlement (a blue, its red, a corrected blue, ...): bounds the work of the
    /// upload that completes their links and the size of a settlement's link list.
    public static let maxInvoicesPerSettlement = 32

    public init() {}

    public var databaseNames: [String] {
        InvoiceSettlementStore.databaseNames + DigitalAccountStore.databaseNames + AuthorizationStore.databaseNames
    }
    /// 2: the digital account, its records and the person index share the `persons` database (`PersonStateKeys`).
    public var stateFormat: UInt64 { 2 }
    /// Format 1 kept a person's account records and the person index in databases of their own.
    public var retiredDatabaseNames: [String] { ["account_records", "person_index"] }
    public var kinds: [EntryKind] { EntryKind.invoiceAndSettlementKinds + EntryKind.authorizationKinds }

    /// The org's role, read once per batch: every record of the batch is admitted as this caller (or refused with
    /// the reason its role is not one of this domain's).
    public func admissionScope(for org: OrgIdentity) -> Result<Caller, LedgerError> {
        Result { () throws(LedgerError) in try DomainCaller.caller(org) }
    }

    /// Hands `apply` the record decoded and prepared (`PreparedRecord`): the keyed hashing its state needs runs
    /// here, in parallel across callers, not on the single writer. The authorization kinds hand nothing.
    public func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity, scope caller: Result<Caller, LedgerError>,
                      dataKey: NodeDataKey?) -> Result<PreparedRecord?, LedgerError> {
        let checking = admitted(record, position: position, by: org, caller: caller)
        guard case .success(let checked?) = checking else { return checking.map { _ in nil } }
        return Result { () throws(LedgerError) in
            try PreparedRecord(checked.record, payload: record.payload, by: checked.caller, dataKey: dataKey)
        }
    }

    /// `caller`: `admissionScope(for: org)`, worked out once per batch.
    private func admitted(_ record: LedgerRecord, position: Int, by org: OrgIdentity,
                          caller: Result<Caller, LedgerError>) -> Result<(record: InvoiceSettlementRecord, caller: Caller)?, LedgerError> {
        if AuthorizationRecord.handles(record.kind) {
            return AuthorizationRules.admit(record, position: position, by: org).map { .failure($0) } ?? .success(nil)
        }
        do throws(LedgerError) {
            let caller = try caller.get()
            let decoded = try InvoiceSettlementRecord(kind: record.kind, payload: record.payload, position: position)
            try decoded.validate(at: "records[\(position)]")
            // Who owns the record is known here only for new records; for the rest the writer checks it.
            let ownership: RecordOwnership = switch decoded {
            case .issue(let invoice), .reverse(let invoice): .of(invoice)
            case .upload(let settlement): .ofSettlement(fixmedinsCode: settlement.fixmedinsCode)
            default: .ownedBy(caller)
            }
            _ = try PermissionMatrix.authorize(caller, decoded.operation, ownership)
            return .success((decoded, caller))
        } catch {
            return .failure(error)
        }
    }

    public func apply(_ record: AppliedRecord, admitted: PreparedRecord?, in state: StateTransaction) throws -> ApplyOutcome {
        if AuthorizationRecord.handles(record.kind.rawValue) {
            return try AuthorizationRules(personIndexKey: state.personIndexKey).apply(record, in: state)
        }
        // Admission's preparation when the writer has it; on replay (the verifier) the payload is prepared here.
        let prepared = try admitted ?? PreparedRecord(
            InvoiceSettlementRecord(kind: record.kind.rawValue, payload: record.payload, position: record.position),
            payload: record.payload, by: DomainCaller.caller(record.org), dataKey: state.dataKey)
        let outcome = try apply(prepared, record, in: state)
        if outcome == .append { try attachToAccounts(prepared, record, in: state) }
        return outcome
    }

    /// 归户 in the same transaction, once the record's own state is written (it never refuses).
    private func attachToAccounts(_ prepared: PreparedRecord, _ record: AppliedRecord, in state: StateTransaction) throws {
        let accounts = DigitalAccounts(state: state, key: try state.personIndexKey)
        switch prepared.record {
        case .issue(let invoice), .reverse(let invoice): try accounts.attach(invoice: invoice, prepared, by: record)
        case .upload: try accounts.attach(settlement: prepared, by: record)
        default: break
        }
    }

    private func apply(_ prepared: PreparedRecord, _ record: AppliedRecord, in state: StateTransaction) throws -> ApplyOutcome {
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
