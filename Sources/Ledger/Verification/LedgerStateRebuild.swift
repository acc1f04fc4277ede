import CLMDB
import Foundation
import YibaoCrypto

/// Rebuilds a stopped store's state databases from its entries alone, in the state machine's current format: the
/// way forward for a store whose state an older node version wrote (which `Ledger` refuses to open), or whose
/// state is damaged while its entries are intact. The entries are the record; state is derived from them.
///
/// The whole store is verified first, exactly as `LedgerVerifier` does but without comparing the old state: a store
/// whose entries, Merkle nodes, tree heads or seals do not verify is left untouched. Then, in order:
/// 1. one transaction removes the recorded state format, empties the machine's state databases and deletes its
///    retired ones, so a crash from here on leaves a store that refuses to open (no format) rather than a
///    half-filled one that looks whole; running the rebuild again finishes the job;
/// 2. the replayed state is copied in, in transactions of `copyChunk` keys;
/// 3. one transaction records the current state format.
/// A store whose recorded format is newer than the machine's is refused: its entries may hold kinds these rules skip.
public struct LedgerStateRebuild {
    public struct Report: Sendable, CustomStringConvertible {
        /// Entries walked (and verified) to rebuild the state.
        public var entries: UInt64 = 0
        /// Keys written per state database.
        public var keys: [String: Int] = [:]
        /// Retired databases found and deleted.
        public var deletedDatabases: [String] = []
        /// The format now recorded, and the one recorded before (nil: none was).
        public var format: UInt64 = 0
        public var previousFormat: UInt64?

        public var description: String {
            let databases = keys.keys.sorted().map { "\($0) \(keys[$0]!)" }.joined(separator: ", ")
            let from = previousFormat.map { "format \($0)" } ?? "no recorded format"
            let deleted = deletedDatabases.isEmpty ? "" : "; deleted the retired databases \(deletedDatabases.joined(separator: ", "))"
            return "rebuilt the state from \(entries) entries (\(from) -> format \(format)): \(databases) keys\(deleted)"
        }
    }

    public let directory: String
    public let stateMachine: any LedgerStateMachine
    /// Checks the store and replays its entries: the data key, the trusted node key and the hash go to it.
    private let verifier: LedgerVerifier
    /// Keys per copy transaction: bounds the dirty pages one transaction holds in memory.
    public var copyChunk = 50_000
    /// Told each step as it starts (a rebuild of millions of entries takes a while): for an operator's console.
    public var progress: (String) -> Void = { _ in }

    public init(directory: String, stateMachine: any LedgerStateMachine, dataKey: NodeDataKey?,
                expectedNodeKey: SM2PublicKey? = nil, hashAlgorithm: HashAlgorithm = .sm3) {
        self.directory = directory
        self.stateMachine = stateMachine
        verifier = LedgerVerifier(directory: directory, hashAlgorithm: hashAlgorithm, expectedNodeKey: expectedNodeKey,
                                  stateMachine: stateMachine, dataKey: dataKey)
    }

    /// Takes the data folder's lock for the whole rebuild: no node may run on the store meanwhile.
    /// Throws `dataLoss` naming the first divergence when the store does not verify (nothing is changed then).
    public func run() throws -> Report {
        try DataFolderLock.whileHeld(directory: directory) {
            let env = try LMDBEnvironment(path: directory)
            defer { env.close() }
            let schema = try LedgerSchema(env, stateDatabases: stateMachine.databaseNames)
            try verifier.checkDataKey(env: env, schema: schema)
            // A newer version's state may come from entry kinds these rules do not know and would skip.
            if let stored = try env.read({ try schema.metaValue(.stateFormat, in: $0) }), stored > stateMachine.stateFormat {
                throw LedgerError(.failedPrecondition, "the state of \(directory) is in format \(stored), newer than this version's "
                                  + "format \(stateMachine.stateFormat); rebuild it with the version that wrote it")
            }
            progress("verifying \(directory) and replaying its entries")
            return try verifier.withReplayedState(of: env, schema: schema, machine: stateMachine, comparingState: false) {
                verified, scratch, replayed in
                if let divergence = verified.firstDivergence {
                    throw LedgerError(.dataLoss, "the store does not verify, so no state is rebuilt from it: \(divergence)")
                }
                var report = Report(entries: verified.entries, format: stateMachine.stateFormat)
                progress("\(verified.entries) entries verify; clearing the old state")
                try clear(env: env, schema: schema, report: &report)
                for name in stateMachine.databaseNames.sorted() {
                    progress("copying \(name)")
                    report.keys[name] = try copy(scratch: scratch, from: replayed[name]!, to: schema.state[name]!, in: env)
                }
                try env.write { txn in try schema.setMeta(.stateFormat, stateMachine.stateFormat, in: txn) }
                return report
            }
        }
    }

    private func clear(env: LMDBEnvironment, schema: LedgerSchema, report: inout Report) throws {
        let retired = try stateMachine.retiredDatabaseNames.compactMap { name in
            try env.existingDatabase(named: name).map { (name, $0) }
        }
        report.previousFormat = try env.read { try schema.metaValue(.stateFormat, in: $0) }
        try env.write { txn in
            try LedgerSchema.MetaKey.stateFormat.rawValue.withContiguousBytesForKey { key in
                _ = try txn.delete(schema.meta, key: key)
            }
            for name in stateMachine.databaseNames { try txn.empty(schema.state[name]!) }
            for (_, db) in retired { try txn.deleteDatabase(db) }
        }
        report.deletedDatabases = retired.map(\.0)
    }

    /// Copies one replayed database into the emptied stored one, in key order (LMDB appends, filling pages
    /// sequentially). Each chunk is read out first, so a transaction re-run after the map grows writes the same keys.
    private func copy(scratch: LMDBEnvironment, from source: LMDBDatabase, to target: LMDBDatabase,
                      in env: LMDBEnvironment) throws -> Int {
        try scratch.read { sourceTxn in
            let cursor = try LMDBCursor(sourceTxn, source)
            defer { cursor.close() }
            var pair = try cursor.position(MDB_FIRST)
            var copied = 0
            while pair != nil {
                var chunk: [([UInt8], [UInt8])] = []
                chunk.reserveCapacity(copyChunk)
                while let (key, value) = pair, chunk.count < copyChunk {
                    chunk.append((Array(key), Array(value)))
                    pair = try cursor.position(MDB_NEXT)
                }
                try env.write { txn in
                    for (key, value) in chunk {
                        try key.withUnsafeBytes { k in
                            try value.withUnsafeBytes { v in try txn.put(target, key: k, value: v, flags: LMDBFlags.append) }
                        }
                    }
                }
                copied += chunk.count
            }
            return copied
        }
    }
}
