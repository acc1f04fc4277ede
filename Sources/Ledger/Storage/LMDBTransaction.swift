import CLMDB
import Glibc

/// A transaction handle lent to a closure by `LMDBEnvironment`; it must not escape that closure.
/// Byte views it returns point into LMDB's map and are valid only until the transaction ends.
///
/// With an `overlay`, the handle is a read snapshot and the transaction is the writer's pipelined view: writes go
/// to the overlay's live layer, reads and scans see the layers over the snapshot (`LMDBWriteOverlay`).
public struct LMDBTransaction {
    let handle: OpaquePointer
    let overlay: LMDBWriteOverlay?

    init(handle: OpaquePointer, overlay: LMDBWriteOverlay? = nil) {
        self.handle = handle
        self.overlay = overlay
    }

    /// The stored value, or nil when the key is absent.
    public func get(_ db: LMDBDatabase, key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        if let slot = overlay?.value(db, key) { return slot.bytes }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(handle, db.handle, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_get")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    public func get(_ db: LMDBDatabase, key: UInt64) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var k = U64Key(key)
        return try withUnsafeBytes(of: &k) { (bytes) throws(LMDBError) in try get(db, key: bytes) }
    }

    public func put(_ db: LMDBDatabase, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                    flags: UInt32 = 0) throws(LMDBError) {
        if let overlay {
            try overlayPut(overlay, db, key: key, size: value.count, flags: flags) { $0.copyMemory(from: value) }
            return
        }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try LMDBError.check(mdb_put(handle, db.handle, &k, &v, flags), "mdb_put")
    }

    public func put(_ db: LMDBDatabase, key: UInt64, value: UnsafeRawBufferPointer, flags: UInt32 = 0) throws(LMDBError) {
        var k = U64Key(key)
        try withUnsafeBytes(of: &k) { (bytes) throws(LMDBError) in try put(db, key: bytes, value: value, flags: flags) }
    }

    /// Reserves `size` bytes for the value and lets `fill` write them in place: one copy instead of two.
    public func putReserving(_ db: LMDBDatabase, key: UInt64, size: Int, flags: UInt32 = 0,
                             fill: (UnsafeMutableRawBufferPointer) -> Void) throws(LMDBError) {
        var keyBytes = U64Key(key)
        if let overlay {
            try withUnsafeBytes(of: &keyBytes) { (kb) throws(LMDBError) in
                try overlayPut(overlay, db, key: kb, size: size, flags: flags, fill: fill)
            }
            return
        }
        try withUnsafeMutableBytes(of: &keyBytes) { (kb) throws(LMDBError) in
            var k = MDB_val(mv_size: 8, mv_data: kb.baseAddress)
            var v = MDB_val(mv_size: size, mv_data: nil)
            try LMDBError.check(mdb_put(handle, db.handle, &k, &v, flags | UInt32(MDB_RESERVE)), "mdb_put(reserve)")
            fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: size))
        }
    }

    /// Deletes the key; returns false if it was not there.
    @discardableResult
    public func delete(_ db: LMDBDatabase, key: UnsafeRawBufferPointer) throws(LMDBError) -> Bool {
        if let overlay {
            let existed = try get(db, key: key) != nil
            overlay.live.delete(db, key: key)
            return existed
        }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(handle, db.handle, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try LMDBError.check(rc, "mdb_del")
        return true
    }

    /// Deletes every key of the database; the database itself stays (its handle remains valid).
    public func empty(_ db: LMDBDatabase) throws(LMDBError) {
        precondition(overlay == nil, "not available to the writer's pipelined view")
        try LMDBError.check(mdb_drop(handle, db.handle, 0), "mdb_drop(empty)")
    }

    /// Deletes the database and every key in it; its handle is invalid afterwards.
    public func deleteDatabase(_ db: LMDBDatabase) throws(LMDBError) {
        precondition(overlay == nil, "not available to the writer's pipelined view")
        try LMDBError.check(mdb_drop(handle, db.handle, 1), "mdb_drop(delete)")
    }

    /// The number of keys in the database.
    public func count(_ db: LMDBDatabase) throws(LMDBError) -> Int {
        precondition(overlay == nil, "not available to the writer's pipelined view")
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, db.handle, &stat), "mdb_stat")
        return stat.ms_entries
    }

    /// The last key/value pair, or nil for an empty database.
    public func last(_ db: LMDBDatabase) throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        precondition(overlay == nil, "not available to the writer's pipelined view")
        let cursor = try LMDBCursor(self, db)
        defer { cursor.close() }
        return try cursor.position(MDB_LAST)
    }

    /// Calls `body` for each pair from `start` (inclusive) in key order until it returns false, or (given a
    /// `prefix`) until a key does not start with it. Under an overlay the prefix matters for more than brevity: the
    /// layers' deletions are skipped without calling `body`, and without it a scan would walk every deletion after
    /// its range before it found a key to stop at.
    public func forEach(_ db: LMDBDatabase, from start: UnsafeRawBufferPointer? = nil,
                        within prefix: UnsafeRawBufferPointer? = nil,
                        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        if let overlay {
            try forEachMerged(overlay, db, from: start, within: prefix, body)
            return
        }
        let cursor = try LMDBCursor(self, db)
        defer { cursor.close() }
        var current = if let start { try cursor.seek(atOrAfter: start) } else { try cursor.position(MDB_FIRST) }
        while let (key, value) = current {
            if let prefix, !Self.key(key, startsWith: prefix) { return }
            guard try body(key, value) else { return }
            current = try cursor.position(MDB_NEXT)
        }
    }

    public func forEach(_ db: LMDBDatabase, from start: UInt64,
                        _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        var k = U64Key(start)
        try withUnsafeBytes(of: &k) { startKey in
            try forEach(db, from: startKey) { key, value in
                guard let index = U64Key.decode(key) else { throw LMDBError(code: MDB_BAD_VALSIZE, operation: "u64 key") }
                return try body(index, value)
            }
        }
    }
}

extension LMDBTransaction {
    /// A put into the live layer, with LMDB's answer to the flags it can check without a cursor.
    private func overlayPut(_ overlay: LMDBWriteOverlay, _ db: LMDBDatabase, key: UnsafeRawBufferPointer, size: Int,
                            flags: UInt32, fill: (UnsafeMutableRawBufferPointer) -> Void) throws(LMDBError) {
        if flags & LMDBFlags.noOverwrite != 0, try get(db, key: key) != nil {
            throw LMDBError(code: LMDBFlags.keyExists, operation: "mdb_put")
        }
        overlay.live.put(db, key: key, size: size, flags: flags, fill: fill)
    }

    /// A scan that merges the layers' keys into the snapshot's, in key order, the newer value winning.
    private func forEachMerged(_ overlay: LMDBWriteOverlay, _ db: LMDBDatabase, from start: UnsafeRawBufferPointer?,
                               within prefix: UnsafeRawBufferPointer?,
                               _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        let cursor = try LMDBCursor(self, db)
        defer { cursor.close() }
        var stored = if let start { try cursor.seek(atOrAfter: start) } else { try cursor.position(MDB_FIRST) }
        var written = overlay.nextKey(db, after: start.map { Array($0) } ?? [], inclusive: true)
        while true {
            let fromLayer: Bool
            switch (stored, written) {
            case (nil, nil): return
            case (nil, .some): fromLayer = true
            case (.some, nil): fromLayer = false
            case (.some(let s), .some(let w)): fromLayer = w.withUnsafeBytes { SortedByteKeys.compare($0, s.key) <= 0 }
            }
            guard fromLayer, let key = written else {
                let (key, value) = stored!
                if let prefix, !Self.key(key, startsWith: prefix) { return }
                guard try body(key, value) else { return }
                stored = try cursor.position(MDB_NEXT)
                continue
            }
            if let prefix, !key.withUnsafeBytes({ Self.key($0, startsWith: prefix) }) { return }
            if let s = stored, key.withUnsafeBytes({ SortedByteKeys.compare($0, s.key) == 0 }) {
                stored = try cursor.position(MDB_NEXT)
            }
            if let value = key.withUnsafeBytes({ overlay.value(db, $0) })?.bytes {
                guard try key.withUnsafeBytes({ try body($0, value) }) else { return }
            }
            written = overlay.nextKey(db, after: key, inclusive: false)
        }
    }

    private static func key(_ key: UnsafeRawBufferPointer, startsWith prefix: UnsafeRawBufferPointer) -> Bool {
        key.count >= prefix.count && (prefix.isEmpty || memcmp(key.baseAddress!, prefix.baseAddress!, prefix.count) == 0)
    }
}

/// A cursor for ordered scans; closed by its owner before the transaction ends.
struct LMDBCursor {
    let handle: OpaquePointer

    init(_ txn: LMDBTransaction, _ db: LMDBDatabase) throws(LMDBError) {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(txn.handle, db.handle, &cursor), "mdb_cursor_open")
        handle = cursor!
    }

    func close() { mdb_cursor_close(handle) }

    func position(_ op: MDB_cursor_op) throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var k = MDB_val(), v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Puts through the cursor: when the key falls on the page the cursor is on, LMDB skips the search from the root.
    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: UInt32) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try LMDBError.check(mdb_cursor_put(handle, &k, &v, flags), "mdb_cursor_put")
    }

    /// Deletes the key if it is there.
    func delete(key: UnsafeRawBufferPointer) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, MDB_SET)
        if rc == MDB_NOTFOUND { return }
        try LMDBError.check(rc, "mdb_cursor_get(set)")
        try LMDBError.check(mdb_cursor_del(handle, 0), "mdb_cursor_del")
    }

    func seek(atOrAfter key: UnsafeRawBufferPointer) throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, MDB_SET_RANGE)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_cursor_get(set_range)")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }
}
