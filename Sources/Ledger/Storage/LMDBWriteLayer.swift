import CLMDB
import Glibc

/// The writes of one group that the writer has applied but not committed: the latest value (or deletion) per key,
/// to answer the writer's reads and to replay into the real write transaction. LMDB allows one write transaction at
/// a time and its commit waits for the disk, so the writer applies the next group into a layer like this while the
/// previous one commits (`LMDBWriteOverlay`).
///
/// Keys and values are copied into the layer's arena and stay there until the layer is released, so a byte view it
/// hands out stays valid as long as a view into LMDB's map would, even if the key is written again. The look-up
/// table is open addressing over those bytes: a read or a write allocates nothing per key, which matters because
/// the writer pays for every one of them on its serial path.
final class LMDBWriteLayer: @unchecked Sendable {
    /// A stored value, or a deletion (`start` nil).
    struct Slot: @unchecked Sendable {
        let start: UnsafeRawPointer?
        let count: Int
        static let deleted = Slot(start: nil, count: 0)
        var bytes: UnsafeRawBufferPointer? { start.map { UnsafeRawBufferPointer(start: $0, count: count) } }
    }

    /// Kept behind a pointer: the writer's hot path then skips the dynamic exclusivity checks a class's stored
    /// properties would cost on every access.
    private let core: UnsafeMutablePointer<Core>

    init() {
        core = .allocate(capacity: 1)
        core.initialize(to: Core())
    }

    deinit {
        core.pointee.releaseArena()
        core.deinitialize(count: 1)
        core.deallocate()
    }

    /// Distinct keys written: what a replay writes.
    var keyCount: Int { core.pointee.entries.count }

    /// The layer's say on the key: its latest value or deletion, nil if the layer never wrote it. `hash` is
    /// `Self.hash(db, key)`, worked out once by a caller that asks several layers.
    func value(_ db: LMDBDatabase, _ key: UnsafeRawBufferPointer, hash: UInt64) -> Slot? {
        core.pointee.find(db.handle, key, hash: hash).found.map { core.pointee.entries[$0].slot }
    }

    func value(_ db: LMDBDatabase, _ key: UnsafeRawBufferPointer) -> Slot? {
        value(db, key, hash: Self.hash(db, key))
    }

    static func hash(_ db: LMDBDatabase, _ key: UnsafeRawBufferPointer) -> UInt64 {
        Core.hash(db.handle, key)
    }

    func put(_ db: LMDBDatabase, key: UnsafeRawBufferPointer, size: Int, flags: UInt32,
             fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let space = core.pointee.allocate(size)
        fill(space)
        core.pointee.record(db.handle, key, Slot(start: UnsafeRawPointer(space.baseAddress), count: size), flags: flags)
    }

    func delete(_ db: LMDBDatabase, key: UnsafeRawBufferPointer) {
        core.pointee.record(db.handle, key, .deleted, flags: 0)
    }

    /// A point the layer can return to: the writer takes one before each command, so a command that throws halfway
    /// leaves nothing of its writes behind.
    struct Savepoint {
        fileprivate let entryCount: Int
    }

    /// Starts a new savepoint (the previous one can no longer be returned to).
    func savepoint() -> Savepoint {
        core.pointee.undo.removeAll(keepingCapacity: true)
        core.pointee.undoBelow = core.pointee.entries.count
        return Savepoint(entryCount: core.pointee.entries.count)
    }

    /// Undoes every write since `savepoint`, which must be the latest one taken.
    func rollBack(to savepoint: Savepoint) {
        core.pointee.rollBack(toEntryCount: savepoint.entryCount)
    }

    /// This layer's first key of `db` after `key` (or at it, if `inclusive`), deleted ones included.
    func nextKey(_ db: LMDBDatabase, after key: [UInt8], inclusive: Bool) -> [UInt8]? {
        core.pointee.ordered(db.handle).first(after: key, inclusive: inclusive)
    }

    /// Writes each key's final value (or deletes it) on a real write transaction: the state is the same as after
    /// every write in turn, since writes to different keys commute. Each database's keys go in key order through one
    /// cursor, so LMDB finds most of them on the page it is already on instead of searching down from the root, and
    /// keys put with `MDB_APPEND` (entries, tree nodes) still arrive in order.
    func replay(into txn: LMDBTransaction) throws {
        precondition(txn.overlay == nil, "a layer replays into LMDB, not into another layer")
        let entries = core.pointee.entries
        for (db, order) in core.pointee.replayOrder() {
            let cursor = try LMDBCursor(txn, LMDBDatabase(handle: db))
            defer { cursor.close() }
            for index in order {
                let entry = entries[index]
                if let value = entry.slot.bytes {
                    try cursor.put(key: entry.key, value: value, flags: entry.flags)
                } else {
                    try cursor.delete(key: entry.key)
                }
            }
        }
    }

    /// Works out the replay's order now, on the caller's thread (the writer's, which has time while the committer
    /// waits for the disk), rather than on the committer's.
    func prepareReplay() {
        _ = core.pointee.replayOrder()
    }

    private struct Entry {
        let hash: UInt64
        let db: MDB_dbi
        let key: UnsafeRawBufferPointer
        var slot: Slot
        /// `MDB_APPEND` if the last write asked for it: the only flag that means the same at replay. The layer
        /// answered `MDB_NOOVERWRITE` when the put was made, against what the group saw then.
        var flags: UInt32
    }

    private struct Core {
        var entries: [Entry] = []
        /// Open addressing, never more than half full: 0 for free, else the entry's index + 1 in the low 32 bits and
        /// the high 32 bits of its hash above, so a probe passes other keys without loading their entries (a cache
        /// miss each, on the writer's serial path).
        var buckets = [UInt64](repeating: 0, count: 4096)
        /// Keys per database in key order, built on the first scan of that database and kept up to date after.
        /// Indexed by database handle (small integers): every put asks whether its database is kept sorted, and a
        /// dictionary hashed the handle each time.
        var sortedKeys: [SortedByteKeys?] = []
        /// Entry indexes per database in key order, once worked out.
        var replaySequence: [(MDB_dbi, [Int])]?
        /// What writes since the savepoint replaced in entries older than it (`undoBelow`), oldest first.
        var undo: [(index: Int, slot: Slot, flags: UInt32)] = []
        var undoBelow = 0
        var arena: [UnsafeMutableRawBufferPointer] = []
        var arenaUsed = 0
        static let arenaChunk = 1 << 20

        /// The entry holding the key, or the free bucket where it would go.
        func find(_ db: MDB_dbi, _ key: UnsafeRawBufferPointer, hash: UInt64) -> (found: Int?, bucket: Int) {
            let mask = buckets.count - 1
            let tag = hash >> 32
            var bucket = Int(truncatingIfNeeded: hash) & mask
            while true {
                let held = buckets[bucket]
                if held == 0 { return (nil, bucket) }
                if held >> 32 == tag {
                    let index = Int(held & 0xFFFF_FFFF) - 1
                    let entry = entries[index]
                    if entry.hash == hash, entry.db == db, entry.key.count == key.count,
                       key.count == 0 || memcmp(entry.key.baseAddress!, key.baseAddress!, key.count) == 0 {
                        return (index, bucket)
                    }
                }
                bucket = (bucket + 1) & mask
            }
        }

        private static func bucketValue(index: Int, hash: UInt64) -> UInt64 {
            (hash >> 32) << 32 | UInt64(index + 1)
        }

        mutating func record(_ db: MDB_dbi, _ key: UnsafeRawBufferPointer, _ slot: Slot, flags putFlags: UInt32) {
            let flags = putFlags & LMDBFlags.append
            let hash = Self.hash(db, key)
            let (found, bucket) = find(db, key, hash: hash)
            replaySequence = nil
            if let found {
                if found < undoBelow { undo.append((found, entries[found].slot, entries[found].flags)) }
                entries[found].slot = slot
                entries[found].flags = flags
                return
            }
            let copy = allocate(key.count)
            copy.copyMemory(from: key)
            let storedKey = UnsafeRawBufferPointer(copy)
            entries.append(Entry(hash: hash, db: db, key: storedKey, slot: slot, flags: flags))
            precondition(entries.count < Int(UInt32.max), "a layer holds fewer than 2^32 keys")
            buckets[bucket] = Self.bucketValue(index: entries.count - 1, hash: hash)
            if entries.count * 2 > buckets.count { grow() }
            if Int(db) < sortedKeys.count, sortedKeys[Int(db)] != nil { sortedKeys[Int(db)]!.insert(Array(storedKey)) }
        }

        /// Older entries get their replaced values back (newest change first), and entries made since are taken out
        /// of the table newest first: with linear probing, emptying a key's bucket is safe once every key inserted
        /// after it is gone, and a rehash inserts in the same order. Their bytes stay in the arena, unused.
        mutating func rollBack(toEntryCount count: Int) {
            precondition(count == undoBelow && count <= entries.count, "roll back to the latest savepoint only")
            for change in undo.reversed() {
                entries[change.index].slot = change.slot
                entries[change.index].flags = change.flags
            }
            undo.removeAll(keepingCapacity: true)
            let mask = buckets.count - 1
            while entries.count > count {
                let removed = entries.removeLast()
                var bucket = Int(truncatingIfNeeded: removed.hash) & mask
                while Int(buckets[bucket] & 0xFFFF_FFFF) != entries.count + 1 { bucket = (bucket + 1) & mask }
                buckets[bucket] = 0
            }
            // Rebuilt from the entries on the next scan.
            sortedKeys.removeAll(keepingCapacity: true)
            replaySequence = nil
        }

        mutating func replayOrder() -> [(MDB_dbi, [Int])] {
            if let replaySequence { return replaySequence }
            // Indexed by database handle (small integers), in handle order.
            var byDatabase: [[Int]] = []
            for (index, entry) in entries.enumerated() {
                byDatabase.extend(toIndex: Int(entry.db), with: [])
                byDatabase[Int(entry.db)].append(index)
            }
            let entries = self.entries
            let sequence = byDatabase.enumerated().filter { !$0.element.isEmpty }.map { db, indexes in
                // Most keys differ in their first 8 bytes (a tag and an index or a hash), so those, as one
                // big-endian integer, order them without touching the arena; only equal prefixes compare in full.
                let sorted = indexes.map { (prefix: Self.orderPrefix(entries[$0].key), index: $0) }.sorted {
                    $0.prefix != $1.prefix ? $0.prefix < $1.prefix
                        : SortedByteKeys.compare(entries[$0.index].key, entries[$1.index].key) < 0
                }
                return (MDB_dbi(db), sorted.map(\.index))
            }
            replaySequence = sequence
            return sequence
        }

        mutating func ordered(_ db: MDB_dbi) -> SortedByteKeys {
            if Int(db) < sortedKeys.count, let keys = sortedKeys[Int(db)] { return keys }
            let keys = SortedByteKeys(entries.lazy.filter { $0.db == db }.map { Array($0.key) })
            sortedKeys.extend(toIndex: Int(db), with: nil)
            sortedKeys[Int(db)] = keys
            return keys
        }

        /// The key's first 8 bytes as a big-endian integer, zero-padded: a shorter key then never orders after a
        /// longer one it begins, so unequal prefixes order exactly as the keys do.
        static func orderPrefix(_ key: UnsafeRawBufferPointer) -> UInt64 {
            var prefix: UInt64 = 0
            for i in 0..<8 { prefix = prefix << 8 | UInt64(i < key.count ? key[i] : 0) }
            return prefix
        }

        private mutating func grow() {
            buckets = [UInt64](repeating: 0, count: buckets.count * 2)
            let mask = buckets.count - 1
            for (index, entry) in entries.enumerated() {
                var bucket = Int(truncatingIfNeeded: entry.hash) & mask
                while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
                buckets[bucket] = Self.bucketValue(index: index, hash: entry.hash)
            }
        }

        mutating func allocate(_ size: Int) -> UnsafeMutableRawBufferPointer {
            let aligned = (size + 7) & ~7
            if let last = arena.last, arenaUsed + aligned <= last.count {
                defer { arenaUsed += aligned }
                return UnsafeMutableRawBufferPointer(rebasing: last[arenaUsed..<arenaUsed + size])
            }
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(Self.arenaChunk, aligned), alignment: 8)
            arena.append(chunk)
            arenaUsed = aligned
            return UnsafeMutableRawBufferPointer(rebasing: chunk[0..<size])
        }

        func releaseArena() {
            for chunk in arena { chunk.deallocate() }
        }

        /// Each 8-byte word of the key folded in through a full 64-bit mix (splitmix64's finalizer): keys here are
        /// short, often differ only in their last byte (big-endian indexes), and need no defence against chosen
        /// collisions, since the node builds them itself.
        static func hash(_ db: MDB_dbi, _ key: UnsafeRawBufferPointer) -> UInt64 {
            var h = mix(UInt64(db) << 32 | UInt64(key.count))
            var offset = 0
            while offset + 8 <= key.count {
                h = mix(h ^ key.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            if offset < key.count {
                var tail: UInt64 = 0
                for i in offset..<key.count { tail = tail << 8 | UInt64(key[i]) }
                h = mix(h ^ tail)
            }
            return h
        }

        private static func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

extension Array {
    /// Appends `filler` until `index` is a valid index: for tables indexed by a database handle (a small integer).
    fileprivate mutating func extend(toIndex index: Int, with filler: Element) {
        if index >= count { append(contentsOf: repeatElement(filler, count: index + 1 - count)) }
    }
}
