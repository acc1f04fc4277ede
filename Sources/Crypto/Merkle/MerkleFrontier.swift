/// The right edge of an append-only log: one perfect-subtree root per set bit of `size`, largest (leftmost) first.
/// It is all an appender needs to keep the current root in O(log n) memory, and it tells storage which perfect
/// subtrees each append completes.
public struct MerkleFrontier: Hashable, Sendable {
    public let hashing: MerkleHashing
    public private(set) var size: UInt64
    /// Roots of `MerkleFrontier.subtrees(forSize: size)`, in the same left-to-right order.
    public private(set) var subtreeRoots: [Digest32]

    /// An empty log.
    public init(_ algorithm: HashAlgorithm = .sm3) {
        self.hashing = MerkleHashing(algorithm)
        self.size = 0
        self.subtreeRoots = []
    }

    /// Rebuilds after a restart from the stored roots of `subtrees(forSize: size)`, left to right.
    /// Returns nil when the count of roots does not fit the size or the size exceeds the limit (corrupt storage).
    public init?(size: UInt64, subtreeRoots: [Digest32], algorithm: HashAlgorithm = .sm3) {
        guard size <= MerkleLimits.maxTreeSize, subtreeRoots.count == size.nonzeroBitCount else { return nil }
        self.hashing = MerkleHashing(algorithm)
        self.size = size
        self.subtreeRoots = subtreeRoots
    }

    /// Rebuilds by reading the popcount(size) stored perfect subtrees through `subtree`.
    public init(size: UInt64, algorithm: HashAlgorithm = .sm3,
                subtree: (PerfectSubtree) throws -> Digest32) throws {
        let roots = try MerkleFrontier.subtrees(forSize: size).map(subtree)
        self.init(size: size, subtreeRoots: roots, algorithm: algorithm)!
    }

    /// The perfect subtrees that together make up a tree of `size` leaves, left to right.
    public static func subtrees(forSize size: UInt64) throws -> [PerfectSubtree] {
        guard size <= MerkleLimits.maxTreeSize else { throw MerkleProofError.treeTooLarge(treeSize: size) }
        var result: [PerfectSubtree] = []
        result.reserveCapacity(size.nonzeroBitCount)
        var start: UInt64 = 0
        for level in stride(from: UInt64.bitWidth - 1, through: 0, by: -1) where size & (1 << UInt64(level)) != 0 {
            result.append(PerfectSubtree(level: level, index: start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        return result
    }

    /// The frontier with each root's address, left to right.
    public var subtrees: [SubtreeRoot] {
        // `size` was checked against the limit on the way in, so this cannot throw.
        let addresses = (try? MerkleFrontier.subtrees(forSize: size)) ?? []
        return zip(addresses, subtreeRoots).map { SubtreeRoot(subtree: $0, hash: $1) }
    }

    /// MTH of the whole log: the frontier folded right to left, which is how RFC 9162's split at the largest
    /// power of two below n decomposes a tree whose size is not a power of two.
    public var root: Digest32 {
        guard var folded = subtreeRoots.last else { return hashing.emptyRoot }
        for left in subtreeRoots.dropLast().reversed() {
            folded = hashing.nodeHash(left, folded)
        }
        return folded
    }

    /// Adds one leaf hash and returns every perfect subtree this completed, bottom up: the leaf itself at level 0,
    /// then each parent that became full (one per trailing one bit of the old size). Storage persists exactly these.
    @discardableResult
    public mutating func append(_ leafHash: Digest32) -> [SubtreeRoot] {
        precondition(size < MerkleLimits.maxTreeSize, "the log already holds \(MerkleLimits.maxTreeSize) leaves")
        var completed: [SubtreeRoot] = []
        completed.reserveCapacity((~size).trailingZeroBitCount + 1)  // the leaf plus one parent per trailing one bit
        var node = leafHash
        var level = 0
        var index = size
        completed.append(SubtreeRoot(subtree: PerfectSubtree(level: 0, index: index), hash: node))
        // Like binary increment: each trailing one bit of the old size is a left sibling waiting for this node.
        while (size >> UInt64(level)) & 1 == 1 {
            node = hashing.nodeHash(subtreeRoots.removeLast(), node)
            level += 1
            index >>= 1
            completed.append(SubtreeRoot(subtree: PerfectSubtree(level: level, index: index), hash: node))
        }
        subtreeRoots.append(node)
        size += 1
        return completed
    }
}
