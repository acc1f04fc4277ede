import Testing
import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoProto

/// A node stopped and started again on its folder keeps everything: state, receipts (a retried request answers
/// the original ones), proofs against the old head; then the stopped store verifies offline, state replayed.
@Suite("End to end: restart and offline verify", .serialized)
struct RestartTests {
    @Test("restart keeps all data; the store verifies offline afterwards")
    func restart() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        let blue = Records.blueInvoice("0000000001", setlId: "S460106202403010001")
        let issue = Records.issue("restart-issue-1", [blue, Records.blueInvoice("0000000002")])

        let first = try await fixture.start()
        var platform = try fixture.client(port: first.port, as: .platform)
        var bureau = try fixture.client(port: first.port, as: .bureau)
        let hospital = try fixture.client(port: first.port, as: .hospital)
        let issued = Records.receipts(try await platform.invoices.issueInvoices(issue).results)
        _ = try await hospital.settlements.uploadSettlements(Records.upload("restart-up-1", [Records.settlement("S460106202403010001")]))
        let locked = try await bureau.invoices.lockInvoice(Records.action("restart-lock-1", blue))
        let headBeforeResponse = try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
        let headBefore = try #require(headBeforeResponse.head)
        for client in [platform, bureau, hospital] { await client.close() }
        await first.shutdown()

        let second = try await fixture.start()
        platform = try fixture.client(port: second.port, as: .platform)
        bureau = try fixture.client(port: second.port, as: .bureau)
        let state = try await platform.invoices.getInvoice(Records.getInvoice(blue)).state
        #expect(state?.status == .locked && state?.lockingOrg == EndToEndNode.Org.bureau.rawValue && state?.setlId == "S460106202403010001")
        #expect(Records.receipts(try await platform.invoices.issueInvoices(issue).results) == issued,
                "a request retried after the restart answers its original receipts")
        #expect(try await bureau.invoices.lockInvoice(Records.action("restart-lock-1", blue)).receipt == locked.receipt)
        await expectStatus(.failedPrecondition, "the lock survived the restart") {
            try await bureau.invoices.lockInvoice(Records.action("restart-lock-2", blue))
        }
        _ = try await bureau.invoices.recordEntry(Records.action("restart-entry-1", blue))

        // The old head is still served and still signed; the new one extends it.
        var atOldSize = Yibao_V1_GetTreeHeadRequest()
        atOldSize.treeSize = headBefore.treeSize
        #expect(try await platform.ledger.getTreeHead(atOldSize).head == headBefore)
        let headAfterResponse = try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
        let headAfter = try #require(headAfterResponse.head)
        #expect(headAfter.treeSize > headBefore.treeSize)
        var consistency = Yibao_V1_GetConsistencyProofRequest()
        consistency.firstTreeSize = headBefore.treeSize
        consistency.secondTreeSize = headAfter.treeSize
        let path = try await platform.ledger.getConsistencyProof(consistency).path.compactMap { Digest32(bytes: $0) }
        let oldRoot = try #require(Digest32(bytes: headBefore.root)), newRoot = try #require(Digest32(bytes: headAfter.root))
        #expect(ConsistencyProof(oldSize: headBefore.treeSize, newSize: headAfter.treeSize, path: path)
            .verify(oldRoot: oldRoot, newRoot: newRoot))
        var proof = Yibao_V1_GetInclusionProofRequest()
        proof.leaf = .ledgerIndex(issued[0].ledgerIndex)
        // At the head just fetched: asked for the newest, the answer could be at a head signed since (the entry's commit).
        proof.treeSize = headAfter.treeSize
        let inclusion = try await platform.ledger.getInclusionProof(proof)
        let leaf = try #require(Digest32(bytes: issued[0].txHash))
        #expect(InclusionProof(leafIndex: inclusion.ledgerIndex, treeSize: inclusion.treeSize,
                               path: inclusion.path.compactMap { Digest32(bytes: $0) })
            .verify(leafHash: leaf, root: newRoot))
        for client in [platform, bureau] { await client.close() }
        await second.shutdown()

        // Offline, from the entries alone: every hash, head, seal, and the domain state replayed.
        let report = try DataFolderLock.whileHeld(directory: fixture.dataDirectory) {
            try LedgerVerifier(directory: fixture.dataDirectory, expectedNodeKey: fixture.nodeKey.publicKey,
                               stateMachine: InvoiceSettlementRules(),
                               dataKey: try DataKeyFile.load(directory: fixture.dataDirectory)).verify()
        }
        #expect(report.isValid, "\(report)")
        #expect(report.entries >= headAfter.treeSize && report.stateDatabases > 0)
    }
}
