/// A client's check that the tree of `newSize` leaves extends the tree of `oldSize` leaves, i.e. the log only
/// appended. RFC 9162 section 2.1.4.2; needs no storage. Equal sizes take an empty path and equal roots.
public struct ConsistencyProof: Hashable, Sendable {
    public let oldSize: UInt64
    public let newSize: UInt64
    /// PROOF(oldSize, D[newSize]).
    public let path: [Digest32]
    public let hashing: MerkleHashing

    public init(oldSize: UInt64, newSize: UInt64, path: [Digest32], algorithm: HashAlgorithm = .sm3) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.path = path
        self.hashing = MerkleHashing(algorithm)
    }

    /// Checks sizes and path length against the shape RFC 9162 prescribes, before any hashing.
    public func validate() throws {
        guard newSize <= MerkleLimits.maxTreeSize else { throw MerkleProofError.treeTooLarge(treeSize: newSize) }
        guard oldSize > 0 else { throw MerkleProofError.emptyOldTree }
        guard oldSize <= newSize else { throw MerkleProofError.oldSizeExceedsNewSize(oldSize: oldSize, newSize: newSize) }
        guard path.count <= MerkleLimits.maxPathLength else { throw MerkleProofError.pathTooLong(length: path.count) }
        let expected = MerklePathShape.consistencyPathLength(oldSize: oldSize, newSize: newSize)
        guard path.count == expected else { throw MerkleProofError.wrongPathLength(expected: expected, actual: path.count) }
    }

    /// The new root the path implies, given the trusted old root. Throws for a malformed proof or when the path
    /// does not rebuild `oldRoot`; a wrong new root is the caller's comparison (or use `verify`).
    public func newRoot(fromOldRoot oldRoot: Digest32) throws -> Digest32 {
        try validate()
        if oldSize == newSize { return oldRoot }
        var rest = path[...]
        // A power-of-two old tree is itself a node of the new tree, so the path leaves it out: the old root seeds.
        let seed = MerklePathShape.isPowerOfTwo(oldSize) ? oldRoot : rest.removeFirst()
        // fn: the old tree's last node, sn: the new tree's last node, at the seed's level.
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = seed  // rebuilds the old root
        var sr = seed  // rebuilds the new root
        for c in rest {
            guard sn != 0 else { throw wrongLength }
            if fn & 1 == 1 || fn == sn {
                // A left sibling belongs to both trees.
                fr = hashing.nodeHash(c, fr)
                sr = hashing.nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                // A right sibling holds only leaves appended after the old tree.
                sr = hashing.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw wrongLength }
        guard fr == oldRoot else { throw MerkleProofError.oldRootMismatch }
        return sr
    }

    private var wrongLength: MerkleProofError {
        .wrongPathLength(expected: MerklePathShape.consistencyPathLength(oldSize: oldSize, newSize: newSize),
                         actual: path.count)
    }

    /// True only for a well-formed proof that rebuilds exactly `oldRoot` and `newRoot`.
    public func verify(oldRoot: Digest32, newRoot: Digest32) -> Bool {
        guard let computed = try? self.newRoot(fromOldRoot: oldRoot) else { return false }
        return computed == newRoot
    }
}
