import YibaoCrypto
import YibaoLedger

/// The node's rule set: the aggregates of `aggregates`, built into one `DomainRules` (the rules of
/// docs/requirements.md, Lifecycles on the ledger). Configure a ledger with `InvoiceSettlementService.configuration()`
/// (or set `stateMachine` yourself). docs/extending.md says how an aggregate is added.
public struct InvoiceSettlementRules: LedgerStateMachine {
    /// Invoices that may name one settlement (a blue, its red, a corrected blue, ...): bounds the work of the
    /// upload that completes their links and the size of a settlement's link list.
    public static let maxInvoicesPerSettlement = 32

    /// Every aggregate of the node, in the order their databases are listed. The digital accounts have no kinds of
    /// their own: the invoice and settlement apply attaches to them, keyed by the person index derived from the
    /// node's data key, and authorization reads them.
    public static let aggregates: [AggregateRegistration] = [
        .invoicesAndSettlements,
        .stateOnly(name: "digital accounts", databaseNames: DigitalAccountStore.databaseNames),
        .authorization,
    ]

    /// 2: the digital account, its records and the person index share the `persons` database (`PersonStateKeys`).
    /// Format 1 kept a person's account records and the person index in databases of their own.
    static let rules: DomainRules = {
        do {
            return try DomainRules(aggregates: aggregates, stateFormat: 2, retiredDatabaseNames: ["account_records", "person_index"])
        } catch {
            preconditionFailure("the node's aggregates do not make a rule set: \(error)")
        }
    }()

    public init() {}

    public var databaseNames: [String] { Self.rules.databaseNames }
    public var stateFormat: UInt64 { Self.rules.stateFormat }
    public var retiredDatabaseNames: [String] { Self.rules.retiredDatabaseNames }
    public var kinds: [EntryKind] { Self.rules.kinds }

    public func admissionScope(for org: OrgIdentity) -> Result<Caller, LedgerError> {
        Self.rules.admissionScope(for: org)
    }

    public func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity, scope caller: Result<Caller, LedgerError>,
                      dataKey: NodeDataKey?) -> Result<PreparedRecord?, LedgerError> {
        Self.rules.admit(record, position: position, by: org, scope: caller, dataKey: dataKey)
    }

    public func apply(_ record: AppliedRecord, admitted: PreparedRecord?, in state: StateTransaction) throws -> ApplyOutcome {
        try Self.rules.apply(record, admitted: admitted, in: state)
    }
}
