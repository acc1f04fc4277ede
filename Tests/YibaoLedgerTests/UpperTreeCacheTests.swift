import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

/// Proofs served partly from the in-memory upper tree equal proofs read wholly from the store, before and after
/// a restart (which rebuilds the cache), and verify against the signed heads.
@Suite struct UpperTreeCacheTests {
    private func proofFromStoreAlone(_ ledger: Ledger, index: UInt64, size: UInt64) throws -> [Digest32] {
        try ledger.env.read { txn in
            try MerkleProofGenerator(.sm3).inclusionProof(leafIndex: index, treeSize: size) {
                try ledger.nodes.subtreeRoot($0, in: txn)
            }
        }
    }

    @Test func cachedProofsEqualStoredProofs() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        for round in 0..<6 {
            _ = try await f.submit((0..<600).map { LedgerFixture.payload(round * 600 + $0, size: 32) })
        }
        let size = f.ledger.treeSize
        #expect(size > 3 * 1024, "the tree must hold complete subtrees of 1024 leaves")
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2 {
            for _ in 0..<150 {
                let treeSize = UInt64.random(in: 1...size, using: &random)
                let index = UInt64.random(in: 0..<treeSize, using: &random)
                let proof = try f.ledger.inclusionProof(index: index, treeSize: treeSize)
                #expect(proof.path == (try proofFromStoreAlone(f.ledger, index: index, size: treeSize)))
                let leaf = try f.ledger.entry(at: index).leafHash
                #expect(proof.verify(leafHash: leaf, root: try f.ledger.root(atSize: treeSize)))
                let old = UInt64.random(in: 1...treeSize, using: &random)
                let consistency = try f.ledger.consistencyProof(from: old, to: treeSize)
                #expect(consistency.verify(oldRoot: try f.ledger.root(atSize: old), newRoot: try f.ledger.root(atSize: treeSize)))
            }
            let head = try #require(f.ledger.latestTreeHead)
            #expect(try f.ledger.root(atSize: head.head.treeSize) == head.head.root)
            try f.reopen()  // the second pass runs on a cache rebuilt from the store
        }
    }
}
