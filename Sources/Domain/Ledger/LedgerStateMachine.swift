import YibaoCrypto

/// Business rules plugged into the ledger (the invoice and settlement domain is one). The writer calls `apply`
/// for each record of the machine's kinds inside its transaction, in ledger order, so a record sees every record
/// before it — including earlier ones of the same group commit — and two orgs racing for the same invoice are
/// simply serialized: the second sees the first's state.
///
/// The state databases must be a pure function of the entries: `LedgerVerifier` replays every entry through
/// `apply` into a scratch store and compares the databases byte for byte.
public protocol LedgerStateMachine: Sendable {
    /// Named LMDB databases holding this machine's state, opened with the ledger.
    var databaseNames: [String] { get }
    /// The layout of those databases. A ledger records it at creation and refuses to open under a machine with
    /// another: state in an older layout would be read as damage, or worse, misread.
    var stateFormat: UInt64 { get }
    /// Databases earlier formats kept and this one no longer does: `LedgerStateRebuild` deletes them.
    var retiredDatabaseNames: [String] { get }
    /// Kinds an org may submit to this machine.
    var kinds: [EntryKind] { get }

    /// On the caller's thread before the record queues: the checks that need no state (decoding, field rules,
    /// whether the org's role may submit this kind). Returns the refusal, if any; the record then fails alone.
    func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity) -> LedgerError?

    /// `admit`, also returning what it decoded and prepared, which the writer hands to `apply` as
    /// `AppliedRecord.admitted`, so that the serial writer neither decodes the payload again nor computes what
    /// `context` (the data key) lets admission compute in parallel; `context.batch` holds what
    /// `admissionScope(for:)` worked out once for the batch. The default admits and hands nothing.
    func admitDecoding(_ record: LedgerRecord, position: Int, by org: OrgIdentity,
                       context: AdmissionContext) -> Result<(any Sendable)?, LedgerError>

    /// Once per batch, before its records are admitted: what they all share (the domain reads the org's role here
    /// rather than once per record), handed to `admitDecoding` as `AdmissionContext.batch`. The default is nothing.
    func admissionScope(for org: OrgIdentity) -> (any Sendable)?

    /// In the writer's transaction: check the record against the current state and apply it.
    /// Throwing a `LedgerError` refuses this record alone, so throw before writing anything.
    /// `dataLoss` or any other error (a storage failure) fails the record's whole batch: the writer rolls the batch
    /// back to the savepoint it took before it, and the rest of the group lands.
    func apply(_ record: AppliedRecord, in state: StateTransaction) throws -> ApplyOutcome
}

extension LedgerStateMachine {
    public var stateFormat: UInt64 { 1 }
    public var retiredDatabaseNames: [String] { [] }

    public func admitDecoding(_ record: LedgerRecord, position: Int, by org: OrgIdentity,
                              context: AdmissionContext) -> Result<(any Sendable)?, LedgerError> {
        if let refusal = admit(record, position: position, by: org) { return .failure(refusal) }
        return .success(nil)
    }

    public func admissionScope(for org: OrgIdentity) -> (any Sendable)? { nil }
}

/// What admission hands a state machine besides the record.
public struct AdmissionContext: Sendable {
    /// The node's data key (nil for a ledger whose entries are not sealed).
    public let dataKey: NodeDataKey?
    /// What the machine's `admissionScope(for:)` worked out for the whole batch.
    public var batch: (any Sendable)? = nil
}

/// Who submitted a record: the org code and its role from the registry.
public struct OrgIdentity: Sendable, Equatable {
    public let code: String
    public let role: String
}

/// One record as the writer applies it.
public struct AppliedRecord: Sendable {
    /// The index the record's entry will take if it is appended.
    public let index: UInt64
    public let kind: EntryKind
    public let org: OrgIdentity
    public let payload: [UInt8]
    public let transactionHash: Digest32
    public let commitTimeMs: UInt64
    /// The record's position within its request batch (for error messages).
    public let position: Int
    /// What `admitDecoding` decoded from the payload; nil on replay (the verifier) and for machines that hand nothing.
    public var admitted: (any Sendable)? = nil
}

/// What `apply` decided for an admitted record.
public enum ApplyOutcome: Sendable, Equatable {
    /// Append the entry: the state now reflects it.
    case append
    /// An idempotent repeat of what the entry at `index` already recorded: nothing is appended and the caller
    /// gets that entry's receipt.
    case alreadyRecorded(index: UInt64)
}

/// The state databases inside one transaction (the writer's, or a reader's snapshot).
public struct StateTransaction {
    public let txn: LMDBTransaction
    private let databases: StateDatabaseTable
    /// The node's data key, for state that holds PII (sealed with `NodeDataKey.seal`, deterministically, so that
    /// replay reproduces it) or indexes it (`personIndex`). nil only in a verifier given no key.
    public let dataKey: NodeDataKey?
    /// The ledger's entries as of this transaction: state keeps the index of the entry holding a record, not a copy.
    let entries: EntryPayloadReader

    init(txn: LMDBTransaction, databases: StateDatabaseTable, dataKey: NodeDataKey?, entries: EntryPayloadReader) {
        self.txn = txn
        self.databases = databases
        self.dataKey = dataKey
        self.entries = entries
    }

    /// The state machine's view of a transaction on the ledger's own store: its state databases, and its entries
    /// read (and unsealed) in the same transaction.
    init(txn: LMDBTransaction, schema: LedgerSchema, dataKey: NodeDataKey?, hashing: MerkleHashing) {
        self.init(txn: txn, databases: schema.state, dataKey: dataKey,
                  entries: EntryPayloadReader(txn: txn, schema: schema, sealing: EntrySealing(dataKey: dataKey), hashing: hashing))
    }

    /// The exact payload of the entry at `index` (already in the ledger, or written earlier in this transaction).
    public func entryPayload(at index: UInt64) throws -> [UInt8] {
        try entries.payload(at: index)
    }

    /// One of the machine's declared databases (a typo is a programming error).
    public func database(_ name: String) -> LMDBDatabase {
        guard let db = databases[name] else { preconditionFailure("state database '\(name)' was not declared") }
        return db
    }
}
