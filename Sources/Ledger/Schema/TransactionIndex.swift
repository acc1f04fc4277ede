import Synchronization
import YibaoCrypto

/// Transaction hash → ledger index, kept off the commit path. A hash is random, so inserting it into a B-tree
/// copies a random 4 KiB page; doing that per entry inside the group commit would cost more than the entry itself.
/// Instead new hashes wait in memory (`pending`); once enough have gathered they are merged into LMDB sorted by
/// hash, a slice per transaction between group commits, so each copied page carries many inserts.
/// Nothing here needs to be durable: after a crash the pending hashes are re-read from the Merkle leaves
/// past `indexedThrough`, and re-inserting a hash already present is harmless.
final class TransactionIndex: Sendable {
    private let pending = Mutex<[Digest32: UInt64]>([:])
    private let db: LMDBDatabase

    init(db: LMDBDatabase) {
        self.db = db
    }

    /// Readers: pending first, then the B-tree. The merge removes hashes from `pending` only after its commit,
    /// and a read transaction begun after that sees the commit, so a committed hash is never missed.
    func index(of hash: Digest32, in env: LMDBEnvironment) throws -> UInt64? {
        if let index = pending.withLock({ $0[hash] }) { return index }
        return try env.read { txn in
            try hash.withUnsafeBytes { key in
                guard let value = try txn.get(db, key: key) else { return nil }
                return U64Key.decode(value)
            }
        }
    }

    var pendingCount: Int { pending.withLock { $0.count } }

    /// Writer, after a commit: the new hashes become findable at once.
    func addCommitted(_ hashes: [(Digest32, UInt64)]) {
        guard !hashes.isEmpty else { return }
        pending.withLock { map in
            for (hash, index) in hashes where map[hash] == nil { map[hash] = index }
        }
    }

    /// A snapshot of what waits, sorted by hash: the plan of the next merge.
    func pendingSortedByHash() -> [(Digest32, UInt64)] {
        pending.withLock { map in map.map { ($0.key, $0.value) } }.sorted { $0.0 < $1.0 }
    }

    /// Inserts one slice of a merge; a hash already there keeps its first index.
    func insert(_ slice: ArraySlice<(Digest32, UInt64)>, in txn: LMDBTransaction) throws {
        for (hash, index) in slice {
            var value = U64Key(index)
            do {
                try hash.withUnsafeBytes { key in
                    try withUnsafeBytes(of: &value) { try txn.put(db, key: key, value: $0, flags: LMDBFlags.noOverwrite) }
                }
            } catch let error as LMDBError where error.code == LMDBFlags.keyExists {
                continue
            }
        }
    }

    /// After the last slice of a merge has committed.
    func forgetMerged(_ merged: [(Digest32, UInt64)]) {
        pending.withLock { map in
            for (hash, _) in merged { map.removeValue(forKey: hash) }
        }
    }
}
