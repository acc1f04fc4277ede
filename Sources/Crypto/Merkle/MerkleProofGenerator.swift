/// Serves RFC 9162 proofs and historic roots from stored perfect-subtree roots, with O(log n) storage reads.
///
/// Every sibling in PATH or PROOF is a range the RFC's split produced. Ranges to the left of the path are
/// aligned perfect subtrees: one read each. A range on the right is perfect too once the walk has left the
/// tree's right edge; the single exception per proof is the topmost right sibling while the walk still hugs the
/// edge, [a, n), whose root is the right-to-left fold of the perfect subtrees of (n - a)'s binary decomposition.
/// Hence at most path length + popcount(n) reads, about 2·log2(n), and never a walk over leaves.
public struct MerkleProofGenerator: Hashable, Sendable {
    /// Returns the stored root of a perfect subtree that lies wholly inside the tree being proved.
    public typealias SubtreeLookup = (PerfectSubtree) throws -> Digest32

    public let hashing: MerkleHashing

    public init(_ algorithm: HashAlgorithm = .sm3) {
        self.hashing = MerkleHashing(algorithm)
    }

    /// MTH(D[treeSize]) of any past or present size: popcount(treeSize) reads.
    public func root(treeSize: UInt64, subtree: SubtreeLookup) throws -> Digest32 {
        guard treeSize <= MerkleLimits.maxTreeSize else { throw MerkleProofError.treeTooLarge(treeSize: treeSize) }
        guard treeSize > 0 else { return hashing.emptyRoot }
        return try rangeRoot(from: 0, to: treeSize, subtree)
    }

    /// PATH(leafIndex, D[treeSize]) of RFC 9162 section 2.1.3.1, bottom sibling first.
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64, subtree: SubtreeLookup) throws -> [Digest32] {
        guard treeSize > 0 else { throw MerkleProofError.emptyTree }
        guard treeSize <= MerkleLimits.maxTreeSize else { throw MerkleProofError.treeTooLarge(treeSize: treeSize) }
        guard leafIndex < treeSize else {
            throw MerkleProofError.leafIndexOutOfRange(leafIndex: leafIndex, treeSize: treeSize)
        }
        var path: [Digest32] = []
        path.reserveCapacity(MerklePathShape.inclusionPathLength(leafIndex: leafIndex, treeSize: treeSize))
        // Walk down from the root, a loop rather than the RFC's recursion; at most 63 steps since each halves the range.
        var start: UInt64 = 0
        var end = treeSize
        while end - start > 1 {
            let split = start + MerklePathShape.largestPowerOfTwoBelow(end - start)
            if leafIndex < split {
                path.append(try rangeRoot(from: split, to: end, subtree))
                end = split
            } else {
                path.append(try rangeRoot(from: start, to: split, subtree))
                start = split
            }
        }
        // The walk meets siblings top first; PATH lists them bottom first.
        path.reverse()
        return path
    }

    /// PROOF(oldSize, D[newSize]) of RFC 9162 section 2.1.4.1 (empty when the sizes are equal).
    public func consistencyProof(oldSize: UInt64, newSize: UInt64, subtree: SubtreeLookup) throws -> [Digest32] {
        guard newSize <= MerkleLimits.maxTreeSize else { throw MerkleProofError.treeTooLarge(treeSize: newSize) }
        guard oldSize > 0 else { throw MerkleProofError.emptyOldTree }
        guard oldSize <= newSize else { throw MerkleProofError.oldSizeExceedsNewSize(oldSize: oldSize, newSize: newSize) }
        var path: [Digest32] = []
        path.reserveCapacity(MerklePathShape.consistencyPathLength(oldSize: oldSize, newSize: newSize))
        // SUBPROOF as a loop over the range [start, end) that still contains the old tree's last leaf.
        var start: UInt64 = 0
        var end = newSize
        // SUBPROOF's flag b: while true, [start, end) is the old tree itself, whose root the client already holds.
        var clientHoldsRange = true
        while oldSize != end {
            let split = start + MerklePathShape.largestPowerOfTwoBelow(end - start)
            if oldSize <= split {
                path.append(try rangeRoot(from: split, to: end, subtree))
                end = split
            } else {
                path.append(try rangeRoot(from: start, to: split, subtree))
                start = split
                clientHoldsRange = false
            }
        }
        if !clientHoldsRange {
            path.append(try rangeRoot(from: start, to: end, subtree))
        }
        path.reverse()
        return path
    }

    /// Root of leaves [start, end), end > start: the right-to-left fold of the perfect subtrees of (end - start)'s
    /// binary decomposition. Needs start to be a multiple of the largest power of two <= end - start, which every
    /// range from the RFC's split satisfies; that makes each piece an aligned perfect subtree.
    func rangeRoot(from start: UInt64, to end: UInt64, _ subtree: SubtreeLookup) throws -> Digest32 {
        var remaining = end - start
        var pieceEnd = end
        var folded: Digest32?
        // Smallest piece first, from the right; one iteration per set bit, so at most 64.
        while remaining != 0 {
            let level = remaining.trailingZeroBitCount
            let width: UInt64 = 1 << UInt64(level)
            pieceEnd -= width
            assert(pieceEnd % width == 0, "range [\(start), \(end)) is not split-aligned")
            let piece = try subtree(PerfectSubtree(level: level, index: pieceEnd >> UInt64(level)))
            folded = folded.map { hashing.nodeHash(piece, $0) } ?? piece
            remaining -= width
        }
        guard let folded else { preconditionFailure("empty range [\(start), \(end))") }
        return folded
    }
}
