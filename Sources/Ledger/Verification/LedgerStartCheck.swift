import CLMDB
import YibaoCrypto

/// How much of its store a ledger checks when it opens (`LedgerConfiguration.startCheck`, `--verify-on-start`).
public enum LedgerStartCheckMode: String, Sendable, CaseIterable {
    /// The newest entries and signed heads, and the frontier against the stored nodes below it: milliseconds,
    /// whatever the ledger's size (docs/ledger.md "Damaged stores").
    case quick
    /// The whole offline verification (`LedgerVerifier`, state replayed) before the node serves: as long as
    /// `yibao verify`.
    case full
    /// Only the newest signed head, which the node serves from memory (one signature check).
    case off
}

/// The check a ledger runs on its own store as it opens, after recovery and before the writer starts. It finds
/// damage rather than throwing it: a damaged store still opens, read-only, so that an operator can read what is
/// intact and a client gets `dataLoss` naming what is not (`LedgerIntegrity`).
struct LedgerStartCheck {
    /// Entries re-hashed by the quick check, newest first; with their Merkle nodes.
    static let quickEntries: UInt64 = 1_024
    /// Signed heads checked by the quick check, newest first (signature and root against the stored nodes).
    static let quickHeads = 16

    let env: LMDBEnvironment
    let schema: LedgerSchema
    let hashing: MerkleHashing
    let nodeKey: SM2PublicKey
    let sealing: EntrySealing
    let frontier: MerkleFrontier

    /// The first damage found, as `dataLoss` naming the index or head; nil for a store that checks out.
    func run(_ mode: LedgerStartCheckMode, verifier: LedgerVerifier) throws -> LedgerError? {
        do {
            switch mode {
            case .off:
                try env.read { txn in try checkNewestHeads(1, in: txn) }
            case .quick:
                try env.read { txn in
                    try checkNewestEntries(in: txn)
                    try checkFrontier(in: txn)
                    try checkNewestHeads(Self.quickHeads, in: txn)
                }
            case .full:
                try env.read { txn in try checkNewestHeads(1, in: txn) }
                let report = try verifier.verify(env: env, schema: schema)
                if let divergence = report.firstDivergence {
                    return LedgerError(.dataLoss, "start check (full): \(divergence)")
                }
            }
            return nil
        } catch let error as LedgerError where error.code == .dataLoss {
            return LedgerError(.dataLoss, "start check (\(mode.rawValue)): \(error.message)")
        } catch let error as LMDBError where error.isCorruption {
            return LedgerIntegrity.unreadable("start check (\(mode.rawValue))", error)
        }
    }

    /// The newest entries: each re-hashed against its stored leaf (`EntryPayloadReader`), and each Merkle node
    /// stored under it recomputed from the two nodes below it.
    private func checkNewestEntries(in txn: LMDBTransaction) throws {
        let reader = EntryPayloadReader(txn: txn, schema: schema, sealing: sealing, hashing: hashing)
        let size = frontier.size
        for index in (size - min(size, Self.quickEntries))..<size {
            guard let entry = try reader.entry(at: index) else {
                throw LedgerError(.dataLoss, "entry \(index) is missing; the ledger holds \(size)")
            }
            do { _ = try entry.decoded() } catch {
                throw LedgerError(.dataLoss, "entry \(index) does not decode: \(error)")
            }
            try checkNodes(endingAt: index, in: txn)
        }
    }

    /// Every node stored under leaf `index` (level 0 first) against its children, and their count against the
    /// perfect subtrees that leaf completes.
    private func checkNodes(endingAt index: UInt64, in txn: LMDBTransaction) throws {
        let expected = (~index).trailingZeroBitCount + 1
        guard let stored = try txn.get(schema.merkle, key: index), stored.count == expected * Digest32.byteCount else {
            throw LedgerError(.dataLoss, "entry \(index): its Merkle nodes are missing or of the wrong count")
        }
        for level in 1..<expected {
            try checkNode(PerfectSubtree(level: level, index: index >> UInt64(level)), in: txn)
        }
    }

    /// A stored perfect-subtree root against the hash of its two stored children.
    private func checkNode(_ subtree: PerfectSubtree, in txn: LMDBTransaction) throws {
        guard subtree.level > 0 else { return }
        let nodes = MerkleNodeStore(db: schema.merkle)
        let left = try nodes.subtreeRoot(PerfectSubtree(level: subtree.level - 1, index: subtree.index * 2), in: txn)
        let right = try nodes.subtreeRoot(PerfectSubtree(level: subtree.level - 1, index: subtree.index * 2 + 1), in: txn)
        guard try nodes.subtreeRoot(subtree, in: txn) == hashing.nodeHash(left, right) else {
            throw LedgerError(.dataLoss, "entry \(subtree.firstLeaf + subtree.leafCount - 1): the stored Merkle node "
                              + "\(subtree) does not match the hash of the two nodes below it")
        }
    }

    /// The frontier recovery read (one root per perfect subtree of the tree's size) against the nodes below it.
    private func checkFrontier(in txn: LMDBTransaction) throws {
        for root in frontier.subtrees { try checkNode(root.subtree, in: txn) }
    }

    /// The newest `count` stored heads: readable, stored under their own size, signed by the node, and with the
    /// root the stored nodes give at that size.
    private func checkNewestHeads(_ count: Int, in txn: LMDBTransaction) throws {
        let cursor = try LMDBCursor(txn, schema.heads)
        defer { cursor.close() }
        var next = try cursor.position(MDB_LAST)
        var checked = 0
        while let (key, value) = next, checked < count {
            guard let size = U64Key.decode(key) else { throw LedgerError(.dataLoss, "a tree head is stored under a malformed key") }
            try LedgerStartCheck.check(storedHead: value, size: size, treeSize: frontier.size, nodeKey: nodeKey) { size in
                size == frontier.size ? frontier.root : try MerkleProofGenerator(hashing.algorithm).root(treeSize: size) { subtree in
                    try MerkleNodeStore(db: schema.merkle).subtreeRoot(subtree, in: txn)
                }
            }
            checked += 1
            next = try cursor.position(MDB_PREV)
        }
    }

    /// One stored head before it is served: it decodes, names the size it is stored under, is not beyond the tree,
    /// carries the node's valid signature and signs the root `root(size)` of the stored nodes.
    static func check(storedHead value: UnsafeRawBufferPointer, size: UInt64, treeSize: UInt64, nodeKey: SM2PublicKey,
                      root: (UInt64) throws -> Digest32) throws {
        let head: SignedTreeHead
        do { head = try SignedTreeHead(decoding: value) } catch {
            throw LedgerError(.dataLoss, "the tree head stored for size \(size) does not decode: \(error)")
        }
        guard head.head.treeSize == size, size <= treeSize, size > 0 else {
            throw LedgerError(.dataLoss, "the tree head stored for size \(size) names size \(head.head.treeSize) "
                              + "(the ledger holds \(treeSize) entries)")
        }
        guard head.isValid(for: nodeKey) else {
            throw LedgerError(.dataLoss, "the tree head stored for size \(size) (entry \(size - 1)): the node's signature does not verify")
        }
        let expected = try root(size)
        guard head.head.root == expected else {
            throw LedgerError(.dataLoss, "the tree head stored for size \(size) (entry \(size - 1)) signs root "
                              + "\(head.head.root.hex), but the stored Merkle nodes give \(expected.hex)")
        }
    }
}
