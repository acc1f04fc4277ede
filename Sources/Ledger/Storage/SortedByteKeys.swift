import Glibc

/// Byte-string keys in LMDB's default order (memcmp, then the shorter first), kept as short sorted runs so an
/// insert moves at most one run, not the whole set. `LMDBWriteOverlay` uses it to merge its keys into a scan.
struct SortedByteKeys {
    private static let runLimit = 64
    private var runs: [[[UInt8]]] = []

    init<S: Sequence<[UInt8]>>(_ keys: S) {
        let sorted = keys.sorted { Self.compare($0, $1) < 0 }
        var start = 0
        while start < sorted.count {
            let end = min(sorted.count, start + Self.runLimit / 2)
            runs.append(Array(sorted[start..<end]))
            start = end
        }
    }

    /// Adds the key if it is not already there.
    mutating func insert(_ key: [UInt8]) {
        guard !runs.isEmpty else {
            runs = [[key]]
            return
        }
        let r = min(runIndex(atOrAfter: key), runs.count - 1)
        let i = Self.lowerBound(runs[r], key)
        if i < runs[r].count && Self.compare(runs[r][i], key) == 0 { return }
        runs[r].insert(key, at: i)
        if runs[r].count > Self.runLimit {
            let upper = Array(runs[r][(Self.runLimit / 2)...])
            runs[r].removeLast(upper.count)
            runs.insert(upper, at: r + 1)
        }
    }

    /// The first key at or after `key` (strictly after when `inclusive` is false).
    func first(after key: [UInt8], inclusive: Bool) -> [UInt8]? {
        var r = runIndex(atOrAfter: key)
        while r < runs.count {
            let run = runs[r]
            var i = Self.lowerBound(run, key)
            if !inclusive, i < run.count, Self.compare(run[i], key) == 0 { i += 1 }
            if i < run.count { return run[i] }
            r += 1
        }
        return nil
    }

    /// The first run whose last key is at or after `key` (`runs.count` if none).
    private func runIndex(atOrAfter key: [UInt8]) -> Int {
        var low = 0, high = runs.count
        while low < high {
            let mid = (low + high) / 2
            if Self.compare(runs[mid][runs[mid].count - 1], key) < 0 { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func lowerBound(_ run: [[UInt8]], _ key: [UInt8]) -> Int {
        var low = 0, high = run.count
        while low < high {
            let mid = (low + high) / 2
            if compare(run[mid], key) < 0 { low = mid + 1 } else { high = mid }
        }
        return low
    }

    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in compare(x, y) } }
    }

    /// LMDB's default key order.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, common)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }
}
