import YibaoCrypto
import YibaoLedger

/// A rule set built from a list of aggregates (`AggregateRegistration`): its kinds and state databases are theirs,
/// in list order, and each record goes to the one aggregate that claims its kind. The node's is
/// `InvoiceSettlementRules`; a test or another node may build its own list.
public struct DomainRules: LedgerStateMachine {
    public let aggregates: [AggregateRegistration]
    public let stateFormat: UInt64
    public let retiredDatabaseNames: [String]
    public let kinds: [EntryKind]
    public let databaseNames: [String]
    /// Kind number → index into `aggregates`.
    private let owners: [UInt16: Int]

    /// Refuses a list in which two aggregates claim one kind, database or operation, or a kind below 100 (the
    /// engine's own kinds).
    public init(aggregates: [AggregateRegistration], stateFormat: UInt64,
                retiredDatabaseNames: [String] = []) throws(AggregateRegistrationError) {
        var owners: [UInt16: Int] = [:]
        var databases: [String: String] = [:]
        var operations: [DomainOperation: String] = [:]
        for (index, aggregate) in aggregates.enumerated() {
            for kind in aggregate.kinds {
                guard kind.rawValue >= Self.firstDomainKind else {
                    throw AggregateRegistrationError(description: "\(aggregate.name): kind \(kind.rawValue) (\(kind.name)) "
                                                     + "is below \(Self.firstDomainKind), the engine's own kinds")
                }
                if let other = owners[kind.rawValue] {
                    throw AggregateRegistrationError(description: "\(aggregate.name): kind \(kind.rawValue) (\(kind.name)) "
                                                     + "is already \(aggregates[other].name)'s")
                }
                owners[kind.rawValue] = index
            }
            for name in aggregate.databaseNames {
                if let other = databases[name] {
                    throw AggregateRegistrationError(description: "\(aggregate.name): state database '\(name)' is already \(other)'s")
                }
                databases[name] = aggregate.name
            }
            for operation in aggregate.operations {
                if let other = operations[operation] {
                    throw AggregateRegistrationError(description: "\(aggregate.name): operation \(operation.rawValue) is already \(other)'s")
                }
                operations[operation] = aggregate.name
            }
        }
        for name in retiredDatabaseNames where databases[name] != nil {
            throw AggregateRegistrationError(description: "retired state database '\(name)' is still \(databases[name]!)'s")
        }
        self.aggregates = aggregates
        self.stateFormat = stateFormat
        self.retiredDatabaseNames = retiredDatabaseNames
        self.kinds = aggregates.flatMap(\.kinds)
        self.databaseNames = aggregates.flatMap(\.databaseNames)
        self.owners = owners
    }

    /// `DomainPayloadPrivacy` treats kinds from this number up as the domain's; below it are the engine's.
    public static let firstDomainKind: UInt16 = 100

    /// The org's role, read once per batch: every record of the batch is admitted as this caller (or refused with
    /// the reason its role is not one of this domain's).
    public func admissionScope(for org: OrgIdentity) -> Result<Caller, LedgerError> {
        Result { () throws(LedgerError) in try DomainCaller.caller(org) }
    }

    public func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity, scope caller: Result<Caller, LedgerError>,
                      dataKey: NodeDataKey?) -> Result<PreparedRecord?, LedgerError> {
        aggregate(of: record.kind).admit(record, position, org, caller, dataKey)
    }

    public func apply(_ record: AppliedRecord, admitted: PreparedRecord?, in state: StateTransaction) throws -> ApplyOutcome {
        try aggregate(of: record.kind.rawValue).apply(record, admitted, state)
    }

    /// The engine hands the machine only records of its `kinds`, so every kind has an owner.
    private func aggregate(of kind: UInt16) -> AggregateRegistration {
        guard let index = owners[kind] else { preconditionFailure("kind \(kind) reached a rule set that does not list it") }
        return aggregates[index]
    }
}
