import YibaoCrypto

/// The roots of the perfect subtrees of 1024 leaves and more, kept in memory: the upper part of every proof then
/// costs no B-tree read, which halves the reads of a proof at ten million entries. It holds about 1/512 of a
/// 32-byte hash per entry (640 KiB at ten million). Append-only, filled by the writer after each commit and
/// rebuilt from the store when the ledger opens.
final class UpperTreeCache: Sendable {
    static let lowestLevel = 10

    private let lock = ReadWriteLock()
    // levels[l - lowestLevel][i] = root of (level l, index i); written only under the exclusive lock.
    nonisolated(unsafe) private var levels: [[Digest32]] = []

    /// What a reader sees while it holds the lock: valid only inside `reading`.
    struct View {
        fileprivate unowned let cache: UpperTreeCache

        /// The cached root, or nil when the subtree is below the cached levels or not complete yet.
        func root(_ subtree: PerfectSubtree) -> Digest32? {
            let row = subtree.level - UpperTreeCache.lowestLevel
            guard row >= 0, row < cache.levels.count, subtree.index < UInt64(cache.levels[row].count) else { return nil }
            return cache.levels[row][Int(subtree.index)]
        }
    }

    /// Many readers at once; the writer's `add` waits for them.
    func reading<R>(_ body: (View) throws -> R) rethrows -> R {
        try lock.shared { try body(View(cache: self)) }
    }

    /// Roots completed by a commit, in the order they were completed (each level's indexes ascend).
    func add(_ roots: [SubtreeRoot]) {
        guard !roots.isEmpty else { return }
        lock.exclusive {
            for root in roots where root.subtree.level >= Self.lowestLevel {
                let row = root.subtree.level - Self.lowestLevel
                while levels.count <= row { levels.append([]) }
                precondition(UInt64(levels[row].count) == root.subtree.index, "upper roots must arrive in order")
                levels[row].append(root.hash)
            }
        }
    }

    /// Loads every cached level for a tree of `size` leaves from the store.
    func load(size: UInt64, read: (PerfectSubtree) throws -> Digest32) throws {
        var loaded: [SubtreeRoot] = []
        var level = Self.lowestLevel
        while level < 63 && size >> UInt64(level) > 0 {
            for index in 0..<(size >> UInt64(level)) {
                let subtree = PerfectSubtree(level: level, index: index)
                loaded.append(SubtreeRoot(subtree: subtree, hash: try read(subtree)))
            }
            level += 1
        }
        add(loaded)
    }
}
