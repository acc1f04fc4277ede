/// A perfect, aligned subtree: level `level`, index `index` covers leaves [index·2^level, (index+1)·2^level).
/// Once the log holds all of those leaves its root never changes, which is why storage keeps exactly these nodes.
public struct PerfectSubtree: Hashable, Sendable, CustomStringConvertible {
    public let level: Int
    public let index: UInt64

    /// Traps unless the subtree lies inside `MerkleLimits.maxTreeSize` leaves (a programming error, not input).
    public init(level: Int, index: UInt64) {
        precondition(PerfectSubtree.isValid(level: level, index: index),
                     "perfect subtree (level \(level), index \(index)) lies beyond \(MerkleLimits.maxTreeSize) leaves")
        self.level = level
        self.index = index
    }

    /// For addresses decoded from storage keys: says whether `init(level:index:)` would accept them.
    public static func isValid(level: Int, index: UInt64) -> Bool {
        level >= 0 && level <= 63 && index < MerkleLimits.maxTreeSize >> UInt64(level)
    }

    public var firstLeaf: UInt64 { index << UInt64(level) }
    public var leafCount: UInt64 { 1 << UInt64(level) }
    public var leafRange: Range<UInt64> { firstLeaf..<(firstLeaf + leafCount) }

    public var description: String { "(level \(level), index \(index))" }
}

/// The root hash of one perfect subtree: what storage writes and what proof generation reads back.
public struct SubtreeRoot: Hashable, Sendable {
    public let subtree: PerfectSubtree
    public let hash: Digest32

    public init(subtree: PerfectSubtree, hash: Digest32) {
        self.subtree = subtree
        self.hash = hash
    }
}
