import CLMDB
import YibaoCrypto

/// The named LMDB databases of one ledger. Entries, Merkle nodes and tree heads are append-only, keyed by
/// big-endian u64 so that every insert appends (`MDB_APPEND`); the rest is state derived from the entries.
struct LedgerSchema: Sendable {
    /// index → u64 commit time ‖ exact entry bytes
    let entries: LMDBDatabase
    /// leaf index → roots of the perfect subtrees whose last leaf this is, level 0 (the leaf hash) first
    let merkle: LMDBDatabase
    /// tree size → 60-byte tree head ‖ node's DER signature
    let heads: LMDBDatabase
    /// transaction hash → u64 index (filled lazily, see `TransactionIndex`)
    let transactions: LMDBDatabase
    /// org code ‖ 0x00 ‖ request id → `IdempotencyRecord`
    let requests: LMDBDatabase
    /// org code → `OrgRegistration` bytes (latest)
    let orgs: LMDBDatabase
    /// named values: schema version, tx-index progress
    let meta: LMDBDatabase
    /// the state machine's own databases, by name
    let state: StateDatabaseTable

    static let version: UInt64 = 1

    enum MetaKey: String {
        case schemaVersion = "schema-version"
        /// The state machine's `stateFormat` the state databases were written in.
        case stateFormat = "state-format"
        case transactionsIndexedThrough = "transactions-indexed-through"
        /// `NodeDataKey.checkValue` of the key the PII is sealed with.
        case dataKeyCheck = "data-key-check"
        /// The latest `AuditAnchor` written, for the audit trail's check without a scan of the entries.
        case auditAnchor = "audit-anchor"
    }

    init(_ env: LMDBEnvironment, stateDatabases: [String] = []) throws {
        entries = try env.database(named: "entries")
        merkle = try env.database(named: "merkle")
        heads = try env.database(named: "heads")
        transactions = try env.database(named: "transactions")
        requests = try env.database(named: "requests")
        orgs = try env.database(named: "orgs")
        meta = try env.database(named: "meta")
        var state: [String: LMDBDatabase] = [:]
        for name in stateDatabases {
            precondition(!Self.engineDatabases.contains(name), "state database '\(name)' clashes with the engine's")
            state[name] = try env.database(named: name)
        }
        self.state = StateDatabaseTable(state)
    }

    static let engineDatabases: Set<String> = ["entries", "merkle", "heads", "transactions", "requests", "orgs", "meta"]

    func metaValue(_ key: MetaKey, in txn: LMDBTransaction) throws -> UInt64? {
        try key.rawValue.withContiguousBytesForKey { k in
            guard let v = try txn.get(meta, key: k) else { return nil }
            return U64Key.decode(v)
        }
    }

    func metaBytes(_ key: MetaKey, in txn: LMDBTransaction) throws -> [UInt8]? {
        try key.rawValue.withContiguousBytesForKey { k in try txn.get(meta, key: k).map { Array($0) } }
    }

    func setMetaBytes(_ key: MetaKey, _ value: [UInt8], in txn: LMDBTransaction) throws {
        try key.rawValue.withContiguousBytesForKey { k in try value.withUnsafeBytes { try txn.put(meta, key: k, value: $0) } }
    }

    /// Stores a signed tree head under its size. A head re-signed after a restart may repeat a stored size; the first
    /// stays.
    func storeHead(_ head: SignedTreeHead, in txn: LMDBTransaction) throws {
        guard try txn.get(heads, key: head.head.treeSize) == nil else { return }
        try head.encoded.withUnsafeBytes { try txn.put(heads, key: head.head.treeSize, value: $0) }
    }

    func setMeta(_ key: MetaKey, _ value: UInt64, in txn: LMDBTransaction) throws {
        var v = U64Key(value)
        try key.rawValue.withContiguousBytesForKey { k in
            try withUnsafeBytes(of: &v) { try txn.put(meta, key: k, value: $0) }
        }
    }
}

extension String {
    func withContiguousBytesForKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
