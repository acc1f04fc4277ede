import YibaoCrypto

// The contract between the ledger engine (YibaoLedger) and a rule set (YibaoDomain's `InvoiceSettlementRules`, or
// any other `LedgerStateMachine`). This file is the whole of it; docs/architecture.md shows where each side lives
// and docs/extending.md walks through adding a rule set.
//
// What the engine guarantees
// - Order. Records reach `apply` one at a time, on the single writer thread, in ledger order: a record sees the
//   state every earlier record left, including earlier records of its own group commit and its own batch. Two orgs
//   racing for one key are serialized; the second sees the first's write.
// - Atomicity. A group commit is one LMDB transaction: every entry of the group and every state write `apply` made
//   for it become durable together, or none do (kill -9 at any point loses only unacknowledged writes). No receipt
//   is handed out before that commit is fsynced (with `LedgerConfiguration.durable`).
// - A refusal is per record. `admit` returning `.failure`, or `apply` throwing a `LedgerError` other than
//   `dataLoss`, refuses that record alone: no entry is appended for it, its caller gets the error, and the other
//   records of its batch go on. `apply` must throw before it writes anything (the engine does not undo a refused
//   record's writes). Any other error, or `dataLoss`, fails the record's whole batch: the writer rolls the batch
//   back to the savepoint it took before it, and the rest of the group lands.
// - Replay. `LedgerVerifier` (and `LedgerStateRebuild`) feed every stored entry of the machine's kinds to `apply`
//   with `admitted == nil`, into an empty scratch store, and compare the state databases byte for byte with the
//   node's. A refused record was never stored, so replay never sees it.
// - The same registration. The writer refuses a batch whose org re-registered (new key or role) after admission, so
//   `admit` and `apply` judge a batch by the same `OrgIdentity`.
//
// What a rule set provides
// - Its `kinds` (numbers no other rule set uses), its `databaseNames` and `stateFormat` (a store written in another
//   format is refused at open), and `retiredDatabaseNames` that `LedgerStateRebuild` deletes.
// - `admit`: the checks that need no state, on the submitting caller's thread, in parallel across callers. What it
//   returns as `Admitted` reaches `apply` as that same type, so the writer neither decodes nor hashes again.
// - `apply`: a pure function of the entries before it and the record. It reads no clock, no randomness, no
//   configuration beyond what the entries carry (`AppliedRecord.commitTimeMs` is the entry's own time), so that
//   replay reproduces the state exactly. With `admitted == nil` it works the record out from `payload` itself.
//
// Who owns what
// - The engine owns the entries, the Merkle tree, the signed heads, the batch seals, idempotency, the org registry,
//   the audit trail and every LMDB transaction. A rule set never opens or commits a transaction; it reads and writes
//   only its declared databases through `StateTransaction`, inside the transaction the engine gives it.
// - The rule set owns the meaning of its payloads and its state databases' layout. The engine never decodes a payload
//   of the rule set's kinds; it only seals the range `EntryPrivacy` names.

/// Business rules plugged into the ledger (the invoice and settlement domain is one); see the contract above.
public protocol LedgerStateMachine: Sendable {
    /// What `admit` decodes and prepares for one record, handed to `apply` as is.
    associatedtype Admitted: Sendable = Void
    /// What `admissionScope(for:)` works out once per batch, handed to each `admit` of the batch.
    associatedtype BatchScope: Sendable = Void

    /// Named LMDB databases holding this machine's state, opened with the ledger.
    var databaseNames: [String] { get }
    /// The layout of those databases. A ledger records it at creation and refuses to open under a machine with
    /// another: state in an older layout would be read as damage, or worse, misread.
    var stateFormat: UInt64 { get }
    /// Databases earlier formats kept and this one no longer does: `LedgerStateRebuild` deletes them.
    var retiredDatabaseNames: [String] { get }
    /// Kinds an org may submit to this machine.
    var kinds: [EntryKind] { get }

    /// Once per batch, before its records are admitted: what they all share (the domain reads the org's role here
    /// rather than once per record).
    func admissionScope(for org: OrgIdentity) -> BatchScope

    /// On the caller's thread before the record queues: the checks that need no state (decoding, field rules,
    /// whether the org's role may submit this kind). A failure refuses the record alone. A success hands `apply`
    /// what was decoded and prepared (nil: nothing; `apply` works from the payload). `dataKey` is the node's data
    /// key (nil for a ledger whose entries are not sealed), for keyed hashes admission computes in parallel.
    func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity, scope: BatchScope,
               dataKey: NodeDataKey?) -> Result<Admitted?, LedgerError>

    /// In the writer's transaction: check the record against the current state and apply it. `admitted` is what
    /// `admit` returned for it; nil on replay (the verifier) and when admission handed nothing.
    /// Throwing a `LedgerError` (not `dataLoss`) refuses this record alone, so throw before writing anything.
    func apply(_ record: AppliedRecord, admitted: Admitted?, in state: StateTransaction) throws -> ApplyOutcome
}

extension LedgerStateMachine {
    public var stateFormat: UInt64 { 1 }
    public var retiredDatabaseNames: [String] { [] }

    /// Replay's call (the verifier, the rebuild): the record as stored, nothing admitted.
    func replay(_ record: AppliedRecord, in state: StateTransaction) throws -> ApplyOutcome {
        try apply(record, admitted: nil, in: state)
    }
}

extension LedgerStateMachine where BatchScope == Void {
    public func admissionScope(for org: OrgIdentity) {}
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

    /// The whole entry at `index` as a reader sees it (nil past the end), from this transaction's snapshot.
    public func entry(at index: UInt64) throws -> StoredEntry? {
        try entries.entry(at: index)
    }

    /// One of the machine's declared databases (a typo is a programming error).
    public func database(_ name: String) -> LMDBDatabase {
        guard let db = databases[name] else { preconditionFailure("state database '\(name)' was not declared") }
        return db
    }
}
