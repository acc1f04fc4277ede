/// A client's check that a leaf hash sits at `leafIndex` of the tree of `treeSize` leaves whose root the client
/// trusts (from a signed tree head). RFC 9162 section 2.1.3.2; needs no storage.
public struct InclusionProof: Hashable, Sendable {
    public let leafIndex: UInt64
    public let treeSize: UInt64
    /// PATH(leafIndex, D[treeSize]), bottom sibling first.
    public let path: [Digest32]
    public let hashing: MerkleHashing

    public init(leafIndex: UInt64, treeSize: UInt64, path: [Digest32], algorithm: HashAlgorithm = .sm3) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.path = path
        self.hashing = MerkleHashing(algorithm)
    }

    /// Checks sizes and path length against the shape RFC 9162 prescribes, before any hashing.
    public func validate() throws {
        guard treeSize > 0 else { throw MerkleProofError.emptyTree }
        guard treeSize <= MerkleLimits.maxTreeSize else { throw MerkleProofError.treeTooLarge(treeSize: treeSize) }
        guard leafIndex < treeSize else {
            throw MerkleProofError.leafIndexOutOfRange(leafIndex: leafIndex, treeSize: treeSize)
        }
        guard path.count <= MerkleLimits.maxPathLength else { throw MerkleProofError.pathTooLong(length: path.count) }
        let expected = MerklePathShape.inclusionPathLength(leafIndex: leafIndex, treeSize: treeSize)
        guard path.count == expected else { throw MerkleProofError.wrongPathLength(expected: expected, actual: path.count) }
    }

    /// The root the path implies for `leafHash`. Throws only for a malformed proof; a wrong root is the caller's
    /// comparison (or use `verify`).
    public func rootFromLeafHash(_ leafHash: Digest32) throws -> Digest32 {
        try validate()
        // fn: our node's index at the current level; sn: the last node's index. Their bits say where siblings sit.
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        for p in path {
            // The RFC's own guard; unreachable once the length is right, kept so the loop stands on its own.
            guard sn != 0 else { throw wrongLength }
            if fn & 1 == 1 || fn == sn {
                r = hashing.nodeHash(p, r)
                // On the right edge a node may have no right sibling for several levels: climb past them.
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = hashing.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw wrongLength }
        return r
    }

    private var wrongLength: MerkleProofError {
        .wrongPathLength(expected: MerklePathShape.inclusionPathLength(leafIndex: leafIndex, treeSize: treeSize),
                         actual: path.count)
    }

    /// True only for a well-formed proof that leads from `leafHash` to exactly `root`.
    public func verify(leafHash: Digest32, root: Digest32) -> Bool {
        guard let computed = try? rootFromLeafHash(leafHash) else { return false }
        return computed == root
    }
}
