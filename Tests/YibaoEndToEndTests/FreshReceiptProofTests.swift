import Foundation
import Testing
import YibaoCrypto
import YibaoProto
import YibaoRPC

/// Tree heads are signed at most once per `treeHeadInterval`. Right after a write, the newest signed head may not
/// cover the new entry yet: a proof asked for against "the newest head" is then UNAVAILABLE (retry), not a bad
/// argument, and a proof at the receipt's own tree size is served at once.
@Suite("End to end: proving a fresh receipt")
struct FreshReceiptProofTests {
    @Test("a fresh entry is UNAVAILABLE against the newest head until one covers it; its own tree size proves at once")
    func freshReceipt() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        // An hour between signatures: after the first head, none is signed while the test runs.
        try await fixture.withRunning(adjust: { $0.ledger.treeHeadInterval = .seconds(3600) }) { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let results = try await platform.invoices.issueInvoices(Records.issue("fresh-issue", [Records.blueInvoice("0000000001")])).results
            let receipt = try #require(Records.receipts(results).first)
            let newest = try #require(try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest()).head)
            #expect(newest.treeSize <= receipt.ledgerIndex, "no head signed since the write")

            var request = Yibao_V1_GetInclusionProofRequest()
            request.leaf = .ledgerIndex(receipt.ledgerIndex)
            await expectStatus(.unavailable, containing: "not under a signed tree head yet", "the newest head does not cover it") {
                try await platform.ledger.getInclusionProof(request)
            }
            request.treeSize = receipt.treeSize
            let proof = try await platform.ledger.getInclusionProof(request)
            let leaf = try #require(Digest32(bytes: receipt.txHash))
            let path = proof.path.compactMap { Digest32(bytes: $0) }
            #expect(InclusionProof(leafIndex: proof.ledgerIndex, treeSize: proof.treeSize, path: path)
                .verify(leafHash: leaf, root: try node.ledger.root(atSize: receipt.treeSize)))

            // An entry that does not exist is still a bad argument, not a reason to retry.
            request.treeSize = 0
            request.leaf = .ledgerIndex(1 << 40)
            await expectStatus(.invalidArgument, "an index beyond the ledger") { try await platform.ledger.getInclusionProof(request) }
            await platform.close()
        }
    }
}
