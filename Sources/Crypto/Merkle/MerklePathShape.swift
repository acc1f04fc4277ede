/// Proof lengths follow from the sizes alone. Verifiers check them before hashing, so a truncated or padded path
/// fails with a precise reason, and generators reserve exactly the room they need.
enum MerklePathShape {
    /// Length of PATH(m, D[n]) for 0 <= m < n <= maxTreeSize.
    static func inclusionPathLength(leafIndex m: UInt64, treeSize n: UInt64) -> Int {
        // Below the level where leaf m's path joins the last leaf's, every level has a sibling ("inner").
        // Above it the path hugs the right edge, where only the set bits of m have a left sibling ("border").
        let inner = UInt64.bitWidth - (m ^ (n - 1)).leadingZeroBitCount
        let border = (m >> UInt64(inner)).nonzeroBitCount
        return inner + border
    }

    /// Length of PROOF(m, D[n]) for 0 < m <= n <= maxTreeSize (0 when m == n).
    static func consistencyPathLength(oldSize m: UInt64, newSize n: UInt64) -> Int {
        if m == n { return 0 }
        // The proof is the inclusion path of the old tree's last perfect subtree, seen at that subtree's level,
        // preceded by that subtree's root unless the old tree is the subtree itself (m a power of two).
        let level = UInt64(m.trailingZeroBitCount)
        let climb = inclusionPathLength(leafIndex: (m - 1) >> level, treeSize: ((n - 1) >> level) + 1)
        return isPowerOfTwo(m) ? climb : climb + 1
    }

    /// RFC 9162's split point k for a range of n >= 2 leaves: the largest power of two strictly below n.
    static func largestPowerOfTwoBelow(_ n: UInt64) -> UInt64 {
        precondition(n >= 2, "a range of \(n) leaves has no split")
        return 1 << UInt64(UInt64.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }

    static func isPowerOfTwo(_ n: UInt64) -> Bool {
        n != 0 && n & (n - 1) == 0
    }
}
