import YibaoCrypto
import YibaoLedger

/// Everything the domain's rule set (`DomainRules`) needs to know about one aggregate, in one value: the entry kinds
/// it records, the state databases it keeps, the permission-matrix operations its kinds perform, and its admit and
/// apply for those kinds. `InvoiceSettlementRules.aggregates` lists the node's; docs/extending.md adds one.
public struct AggregateRegistration: Sendable {
    /// Admission of one record of the aggregate's kinds, stateless, on the caller's thread (see
    /// `LedgerStateMachine.admit`). `caller`: the org's role, read once per batch.
    public typealias Admit = @Sendable (_ record: LedgerRecord, _ position: Int, _ org: OrgIdentity,
                                        _ caller: Result<Caller, LedgerError>, _ dataKey: NodeDataKey?)
        -> Result<PreparedRecord?, LedgerError>
    /// Apply of one record of the aggregate's kinds, in ledger order (see `LedgerStateMachine.apply`).
    public typealias Apply = @Sendable (_ record: AppliedRecord, _ admitted: PreparedRecord?, _ state: StateTransaction) throws
        -> ApplyOutcome

    /// Names the aggregate in the registration's own refusals.
    public let name: String
    public let kinds: [EntryKind]
    public let databaseNames: [String]
    /// The `DomainOperation`s its records perform: their rows in `PermissionMatrix` belong to this aggregate.
    public let operations: [DomainOperation]
    let admit: Admit
    let apply: Apply

    public init(name: String, kinds: [EntryKind], databaseNames: [String], operations: [DomainOperation],
                admit: @escaping Admit, apply: @escaping Apply) {
        self.name = name
        self.kinds = kinds
        self.databaseNames = databaseNames
        self.operations = operations
        self.admit = admit
        self.apply = apply
    }

    /// An aggregate whose state other aggregates' records write inside their own apply (the digital accounts): it
    /// declares databases and no kinds, so its admit and apply are never dispatched to.
    public static func stateOnly(name: String, databaseNames: [String]) -> AggregateRegistration {
        AggregateRegistration(name: name, kinds: [], databaseNames: databaseNames, operations: [],
                              admit: { _, _, _, _, _ in preconditionFailure("\(name) has no entry kinds") },
                              apply: { _, _, _ in preconditionFailure("\(name) has no entry kinds") })
    }
}

/// Why a list of aggregates does not make a rule set: two aggregates claim one kind, database or operation, or a
/// kind takes a number the engine keeps for itself.
public struct AggregateRegistrationError: Error, Equatable, CustomStringConvertible {
    public let description: String
}
