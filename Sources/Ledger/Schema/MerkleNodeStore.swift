import YibaoCrypto

/// Perfect-subtree roots in LMDB. A subtree (level l, index i) ends at leaf (i+1)·2^l − 1, so every root completed
/// by one append is stored under that leaf's index, level 0 first: the store only ever appends, and any root is
/// one B-tree read. Level 0 is the leaf hash, which is also the transaction hash.
struct MerkleNodeStore: Sendable {
    let db: LMDBDatabase

    func subtreeRoot(_ subtree: PerfectSubtree, in txn: LMDBTransaction) throws -> Digest32 {
        let lastLeaf = subtree.firstLeaf + subtree.leafCount - 1
        guard let value = try txn.get(db, key: lastLeaf), value.count >= (subtree.level + 1) * Digest32.byteCount else {
            throw LedgerError(.dataLoss, "Merkle node \(subtree) is missing from the store")
        }
        return Digest32(unsafe: value.baseAddress! + subtree.level * Digest32.byteCount)
    }

    func leafHash(at index: UInt64, in txn: LMDBTransaction) throws -> Digest32 {
        try subtreeRoot(PerfectSubtree(level: 0, index: index), in: txn)
    }

    /// Stores the roots completed by appending leaf `leafIndex` (as `MerkleFrontier.append` returns them).
    func append(leafIndex: UInt64, completed: [SubtreeRoot], in txn: LMDBTransaction) throws {
        try txn.putReserving(db, key: leafIndex, size: completed.count * Digest32.byteCount, flags: LMDBFlags.append) { out in
            for (level, root) in completed.enumerated() {
                precondition(root.subtree.level == level, "completed roots must come level 0 first")
                root.hash.store(to: out.baseAddress! + level * Digest32.byteCount)
            }
        }
    }
}
