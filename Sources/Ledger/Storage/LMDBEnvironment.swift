import CLMDB
import Glibc
import Synchronization

/// One LMDB environment (a data folder holding `data.mdb`). Read transactions may run on any thread
/// (`MDB_NOTLS`: Swift tasks hop threads); write transactions belong to the single writer.
/// The map grows on demand: a write that hits `MDB_MAP_FULL` is rolled back, the map doubled, and the write re-run.
public final class LMDBEnvironment: @unchecked Sendable {
    public struct Options: Sendable {
        /// Initial map size; it doubles whenever a write fills it, up to `maximumMapSize`.
        public var mapSize: Int = 1 << 30
        public var maximumMapSize: Int = 1 << 40
        public var maxDatabases: UInt32 = 32
        public var maxReaders: UInt32 = 510
        public var readOnly = false
        /// `true`: every commit is fsynced before it returns (the default, and what receipts promise).
        public var durable = true
        public init() {}
    }

    let handle: OpaquePointer
    /// LMDB may only change its map size while this process has no transaction open (`mdb_env_set_mapsize`):
    /// every transaction holds the gate shared; growing the map (and closing) takes it exclusive.
    let gate = ReadWriteLock()
    public let options: Options
    /// Guarded by the gate: changed only while exclusive.
    public private(set) var mapSize: Int
    private var closed = false
    /// Read transactions begun since the environment opened: what a read path costs in snapshots.
    private let readsBegun = Atomic<UInt64>(0)

    /// Refuses a `data.mdb` shorter than its meta pages claim (`LMDBFileCheck`) before LMDB maps it.
    public init(path: String, options: Options = Options()) throws {
        try LMDBFileCheck(directory: path).check()
        self.options = options
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env), "mdb_env_create")
        handle = env!
        var flags = UInt32(MDB_NOTLS | MDB_NORDAHEAD)
        if options.readOnly { flags |= UInt32(MDB_RDONLY) }
        if !options.durable { flags |= UInt32(MDB_NOSYNC) }
        do {
            try LMDBError.check(mdb_env_set_maxdbs(handle, options.maxDatabases), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_maxreaders(handle, options.maxReaders), "mdb_env_set_maxreaders")
            try LMDBError.check(mdb_env_set_mapsize(handle, options.mapSize), "mdb_env_set_mapsize")
            try LMDBError.check(mdb_env_open(handle, path, flags, 0o600), "mdb_env_open(\(path))")
        } catch {
            mdb_env_close(handle)
            throw error
        }
        // An existing file may already be larger than the requested map; LMDB adopts the larger size.
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        mapSize = info.me_mapsize
    }

    deinit { close() }

    /// Closes the environment once every transaction in flight has ended; later transactions fail.
    /// LMDB must not be open twice in one process (closing either copy drops the other's file locks),
    /// so whoever reopens a folder in-process closes the old environment first.
    public func close() {
        gate.exclusive {
            guard !closed else { return }
            closed = true
            mdb_env_close(handle)
        }
    }

    /// Opens (or, for the writer, creates) a named database. Call before concurrent use starts.
    public func database(named name: String) throws -> LMDBDatabase {
        var dbi: MDB_dbi = 0
        let create = !options.readOnly
        try transaction(readOnly: !create) { txn in
            try LMDBError.check(mdb_dbi_open(txn.handle, name, create ? UInt32(MDB_CREATE) : 0, &dbi),
                                "mdb_dbi_open(\(name))")
        }
        return LMDBDatabase(handle: dbi)
    }

    /// The named database if the store has it, without creating it.
    public func existingDatabase(named name: String) throws -> LMDBDatabase? {
        var dbi: MDB_dbi = 0
        let rc = try transaction(readOnly: true) { txn in mdb_dbi_open(txn.handle, name, 0, &dbi) }
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_dbi_open(\(name))")
        return LMDBDatabase(handle: dbi)
    }

    /// A read-only snapshot for the duration of `body`.
    public func read<R>(_ body: (LMDBTransaction) throws -> R) throws -> R {
        readsBegun.add(1, ordering: .relaxed)
        return try transaction(readOnly: true, body)
    }

    /// How many `read` snapshots were opened so far (diagnostics, and tests that a page costs one).
    public var readTransactionCount: UInt64 { readsBegun.load(ordering: .relaxed) }

    /// A write transaction committed when `body` returns. `body` may be run more than once (after the map grows),
    /// so it must not change anything outside the transaction before it returns.
    public func write<R>(_ body: (LMDBTransaction) throws -> R) throws -> R {
        precondition(!options.readOnly, "write on a read-only environment")
        while true {
            do {
                return try transaction(readOnly: false, body)
            } catch let error as LMDBError where error.isMapFull {
                try grow()
            }
        }
    }

    /// Forces buffered commits to disk (for `durable = false`).
    public func sync() throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(handle, 1), "mdb_env_sync")
    }

    /// Bytes of the map in use: a store's size on disk, less free pages not yet reused.
    public func usedBytes() -> Int {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(handle, &info)
        mdb_env_stat(handle, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    private func grow() throws {
        try gate.exclusive { () throws(LMDBError) in
            guard mapSize < options.maximumMapSize else {
                throw LMDBError(code: MDB_MAP_FULL, operation: "map at its maximum of \(options.maximumMapSize) bytes")
            }
            let newSize = min(mapSize * 2, options.maximumMapSize)
            try LMDBError.check(mdb_env_set_mapsize(handle, newSize), "mdb_env_set_mapsize(\(newSize))")
            mapSize = newSize
        }
    }

    private func transaction<R>(readOnly: Bool, _ body: (LMDBTransaction) throws -> R) throws -> R {
        try gate.shared {
            guard !closed else { throw LMDBError(code: EINVAL, operation: "transaction on a closed environment") }
            var txn: OpaquePointer?
            var rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
            if rc == MDB_MAP_RESIZED {
                // Another process (the node, while an offline tool reads) grew the map: adopt its size.
                mdb_env_set_mapsize(handle, 0)
                rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
            }
            try LMDBError.check(rc, "mdb_txn_begin")
            let transaction = LMDBTransaction(handle: txn!)
            let result: R
            do {
                result = try body(transaction)
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
            // Read-only transactions are committed too: that is what keeps a database handle opened inside one.
            try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit")
            return result
        }
    }
}
