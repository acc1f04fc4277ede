import Foundation
import Testing
import YibaoClient
import YibaoCrypto
import YibaoProto
import YibaoRPC

/// Every method of the five services through the generated Swift client against a real node, with every error
/// mapping of the API (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED,
/// UNAUTHENTICATED, INTERNAL for an undecodable request; RESOURCE_EXHAUSTED is `OverloadTests`).
@Suite("End to end: every method", .serialized)
struct EveryMethodTests {
    @Test("every method and every error mapping through the generated client")
    func everyMethod() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        let node = try await fixture.start()
        let platform = try fixture.client(port: node.port, as: .platform)
        let hospital = try fixture.client(port: node.port, as: .hospital)
        let bureau = try fixture.client(port: node.port, as: .bureau)
        let channel = try fixture.client(port: node.port, as: .channel)
        let auditor = try fixture.client(port: node.port, as: .auditor)

        // IssueInvoices: one batch with good and bad records; each bad one fails alone, naming itself.
        let blue1 = Records.blueInvoice("0000000001", setlId: "S460106202403010001")
        var badSum = Records.blueInvoice("0000000002")
        badSum.totalAmount = 9_999
        let blue2 = Records.blueInvoice("0000000003"), blue3 = Records.blueInvoice("0000000005")
        let issue = Records.issue("e2e-issue-1", [blue1, badSum, blue2, blue3])
        let issued = try await platform.invoices.issueInvoices(issue)
        #expect(Records.codes(issued.results) == [0, 3, 0, 0])
        if case .error(let error) = issued.results[1].outcome { #expect(error.message.hasPrefix("invoices[1]"), "\(error.message)") }
        let receipt1 = Records.receipts(issued.results)[0]
        #expect(receipt1.txHash.count == 32 && receipt1.ledgerIndex < receipt1.treeSize && receipt1.commitTimeMs > 0)
        let earlyHead = try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
        let retried = try await platform.invoices.issueInvoices(issue)
        #expect(Records.receipts(retried.results) == Records.receipts(issued.results), "a retry answers the original receipts")
        await expectStatus(.invalidArgument, containing: "request_id", "issue without request_id") {
            try await platform.invoices.issueInvoices(Records.issue("", [blue1]))
        }
        var different = Records.blueInvoice("0000000001", setlId: "S460106202403010001")
        different.totalAmount = 10_100
        different.ownPayAmount = 2_600
        different.items[0].amount = 7_100
        #expect(Records.codes(try await platform.invoices.issueInvoices(Records.issue("e2e-dup", [different])).results) == [6],
                "the same invoice key with other content is ALREADY_EXISTS")
        #expect(Records.codes(try await hospital.invoices.issueInvoices(Records.issue("e2e-h-issue", [Records.blueInvoice("0000000010")])).results) == [7],
                "a hospital may not issue invoices: PERMISSION_DENIED")

        // Settlements: upload (good and bad), the automatic link, get, trace, reconcile (pair and range), link.
        var badSettlement = Records.settlement("S460106202403010002")
        badSettlement.fundPaySumamt = 1
        let uploaded = try await hospital.settlements.uploadSettlements(
            Records.upload("e2e-up-1", [Records.settlement("S460106202403010001"), badSettlement]))
        #expect(Records.codes(uploaded.results) == [0, 3])
        var getSettlement = Yibao_V1_GetSettlementRequest()
        getSettlement.setlId = "S460106202403010001"
        let settlement = try await hospital.settlements.getSettlement(getSettlement)
        #expect(settlement.settlement?.medfeeSumamt == 10_000 && settlement.state?.status == .uploaded)
        #expect(settlement.linkedInvoices.map(\.invoiceNumber) == ["0000000001"], "linked by the invoice's setl_id")
        var unknownSettlement = getSettlement
        unknownSettlement.setlId = "S999"
        await expectStatus(.notFound, "unknown settlement") { try await hospital.settlements.getSettlement(unknownSettlement) }
        await expectStatus(.permissionDenied, "a channel without a grant reads a settlement") {
            try await channel.settlements.getSettlement(getSettlement)
        }
        var pair = Yibao_V1_ReconcilePair()
        pair.invoiceCode = "46010624"
        pair.invoiceNumber = "0000000001"
        var reconcilePair = Yibao_V1_ReconcileRequest()
        reconcilePair.target = .pair(pair)
        let pairReport = try await hospital.settlements.reconcile(reconcilePair)
        guard case .pair(let report) = pairReport.result else { Issue.record("no pair report"); return }
        #expect(report.consistent && report.mismatches.isEmpty)
        var range = Yibao_V1_ReconcileRange()
        range.institution = Records.hospital
        range.from = "2024-03-01"
        range.through = "2024-03-01"
        var reconcileRange = Yibao_V1_ReconcileRequest()
        reconcileRange.target = .range(range)
        let rangeReport = try await bureau.settlements.reconcile(reconcileRange)
        guard case .range(let counts) = rangeReport.result else { Issue.record("no range report"); return }
        #expect(counts.compared == 1 && counts.consistent == 1 && counts.invoicesWithoutSettlementCount == 2 && counts.complete)
        range.from = "2024-03-02"
        reconcileRange.target = .range(range)
        await expectStatus(.invalidArgument, "a range that ends before it starts") { try await bureau.settlements.reconcile(reconcileRange) }
        var link = Yibao_V1_LinkInvoiceRequest()
        link.requestId = "e2e-link-1"
        link.invoice = Records.reference(blue2)
        link.setlId = "S460106202403010001"
        _ = try await hospital.settlements.linkInvoice(link)
        link.requestId = "e2e-link-2"
        link.invoice = Records.reference(blue3)
        link.setlId = "S460106209999999999"
        await expectStatus(.notFound, "link to an unknown settlement") { try await hospital.settlements.linkInvoice(link) }

        // The invoice lifecycle (docs/requirements.md, Lifecycles) by the bureau.
        _ = try await bureau.invoices.lockInvoice(Records.action("e2e-lock-1", blue1))
        await expectStatus(.failedPrecondition, containing: "LOCKED", "a second lock") {
            try await bureau.invoices.lockInvoice(Records.action("e2e-lock-2", blue1))
        }
        await expectStatus(.permissionDenied, "a hospital locks") { try await hospital.invoices.lockInvoice(Records.action("e2e-lock-3", blue2)) }
        await expectStatus(.invalidArgument, containing: "check_code", "wrong check code") {
            try await bureau.invoices.lockInvoice(Records.action("e2e-lock-4", blue2, checkCode: "000000"))
        }
        await expectStatus(.notFound, "unknown invoice") {
            try await bureau.invoices.lockInvoice(Records.action("e2e-lock-5", Records.blueInvoice("0000009999")))
        }
        _ = try await bureau.invoices.recordEntry(Records.action("e2e-entry-1", blue1))
        await expectStatus(.failedPrecondition, containing: "ENTERED", "a second entry (一票多报)") {
            try await bureau.invoices.recordEntry(Records.action("e2e-entry-2", blue1))
        }
        _ = try await bureau.invoices.revokeEntry(Records.action("e2e-revoke-entry-1", blue1))
        _ = try await bureau.invoices.lockInvoice(Records.action("e2e-lock-6", blue1))
        _ = try await bureau.invoices.unlockInvoice(Records.action("e2e-unlock-1", blue1))
        await expectStatus(.failedPrecondition, "unlock an issued invoice") {
            try await bureau.invoices.unlockInvoice(Records.action("e2e-unlock-2", blue1))
        }
        var paper = Yibao_V1_ExchangePaperRequest()
        paper.requestId = "e2e-paper-1"
        paper.invoice = Records.reference(blue2)
        paper.exchangeTime = "2024-03-02 09:00:00"
        _ = try await platform.invoices.exchangePaper(paper)
        paper.requestId = "e2e-paper-2"
        await expectStatus(.failedPrecondition, "a second paper exchange") { try await platform.invoices.exchangePaper(paper) }
        var reverse = Yibao_V1_ReverseInvoiceRequest()
        reverse.requestId = "e2e-reverse-1"
        reverse.redInvoice = Records.redInvoice(reversing: blue3, number: "0000000006")
        _ = try await platform.invoices.reverseInvoice(reverse)
        await expectStatus(.failedPrecondition, "lock a reversed invoice") {
            try await bureau.invoices.lockInvoice(Records.action("e2e-lock-7", blue3))
        }

        // Reads of invoices.
        let got = try await hospital.invoices.getInvoice(Records.getInvoice(blue1))
        #expect(got.invoice?.totalAmount == 10_000 && got.state?.status == .issued && got.linkedSetlId == "S460106202403010001")
        let reversed = try await platform.invoices.getInvoice(Records.getInvoice(blue3))
        #expect(reversed.state?.status == .reversed && reversed.state?.reversedBy?.invoiceNumber == "0000000006")
        await expectStatus(.notFound, "get an unknown invoice") {
            try await platform.invoices.getInvoice(Records.getInvoice(Records.blueInvoice("0000009999")))
        }
        var trace = Yibao_V1_TraceInvoiceRequest()
        trace.invoiceCode = "46010624"
        trace.invoiceNumber = "0000000001"
        let steps = try await bureau.invoices.traceInvoice(trace).steps
        #expect(steps.map(\.kindName) == ["invoice_issued", "settlement_uploaded", "invoice_locked", "invoice_entered",
                                         "invoice_entry_revoked", "invoice_locked", "invoice_unlocked"])
        #expect(steps.first?.txHash == receipt1.txHash)
        var traceSettlement = Yibao_V1_TraceSettlementRequest()
        traceSettlement.setlId = "S460106202403010001"
        #expect(try await hospital.settlements.traceSettlement(traceSettlement).steps.map(\.kindName)
                == ["settlement_uploaded", "invoice_settlement_linked"])

        // Accounts.
        var account = Yibao_V1_GetAccountRequest()
        account.person = .certno(Records.certno)
        let opened = try await platform.accounts.getAccount(account)
        #expect(opened.account?.invoiceCount == 4 && opened.account?.settlementCount == 1)
        await expectStatus(.permissionDenied, "a hospital reads an account") { try await hospital.accounts.getAccount(account) }
        account.person = .certno("110105194912310037")
        await expectStatus(.notFound, "an account never opened") { try await platform.accounts.getAccount(account) }
        var records = Yibao_V1_ListAccountRecordsRequest()
        records.certno = Records.certno
        records.pageSize = 2
        let page = try await platform.accounts.listAccountRecords(records)
        #expect(page.records.count == 2 && page.nextPageAfter != 0 && page.records[0].ledgerIndex > page.records[1].ledgerIndex)

        // Authorization: a grant, the channel's reads under it, usage, revocation.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var grantRequest = Yibao_V1_GrantAccessRequest()
        grantRequest.requestId = "e2e-grant-1"
        grantRequest.certno = Records.certno
        grantRequest.channel = EndToEndNode.Org.channel.rawValue
        grantRequest.scope = .namedInvoices
        grantRequest.invoices = [Records.reference(blue1)]
        grantRequest.validFromMs = now - 60_000
        grantRequest.validUntilMs = now + 3_600_000
        grantRequest.purpose = "商保理赔"
        let grant = try await platform.authorization.grantAccess(grantRequest)
        #expect(grant.grantId == grant.receipt?.txHash)
        var channelGrant = grantRequest
        channelGrant.requestId = "e2e-grant-2"
        await expectStatus(.permissionDenied, "a channel grants itself") { try await channel.authorization.grantAccess(channelGrant) }
        _ = try await channel.invoices.getInvoice(Records.getInvoice(blue1))
        await expectStatus(.permissionDenied, "a channel reads an invoice outside its grant") {
            try await channel.invoices.getInvoice(Records.getInvoice(blue2))
        }
        var usage = Yibao_V1_RecordUsageRequest()
        usage.requestId = "e2e-usage-1"
        usage.grantId = grant.grantId
        usage.invoice = Records.key(blue1)
        usage.readTimeMs = now
        usage.purpose = "理赔"
        _ = try await channel.authorization.recordUsage(usage)
        var listGrants = Yibao_V1_ListGrantsRequest()
        listGrants.certno = Records.certno
        #expect(try await platform.authorization.listGrants(listGrants).grants.map { "\($0.status) \($0.usageCount)" } == ["live 1"])
        var listUsage = Yibao_V1_ListUsageRequest()
        listUsage.grantId = grant.grantId
        #expect(try await channel.authorization.listUsage(listUsage).usages.map { $0.invoice?.invoiceNumber } == ["0000000001"])
        var revokeAccess = Yibao_V1_RevokeAccessRequest()
        revokeAccess.requestId = "e2e-revoke-grant-1"
        revokeAccess.grantId = grant.grantId
        revokeAccess.certno = Records.certno
        _ = try await platform.authorization.revokeAccess(revokeAccess)
        revokeAccess.requestId = "e2e-revoke-grant-2"
        await expectStatus(.failedPrecondition, "revoke a revoked grant") { try await platform.authorization.revokeAccess(revokeAccess) }
        await expectStatus(.permissionDenied, "read after the grant is revoked") { try await channel.invoices.getInvoice(Records.getInvoice(blue1)) }

        // Settlement revocation.
        var revoke = Yibao_V1_RevokeSettlementRequest()
        revoke.requestId = "e2e-revoke-s-1"
        revoke.setlId = "S460106202403010001"
        revoke.mdtrtId = "M460106202403010001"
        revoke.psnNo = "46000012345678"
        revoke.revokeTime = "2024-03-05 10:00:00"
        revoke.reason = "撤销"
        _ = try await hospital.settlements.revokeSettlement(revoke)
        revoke.requestId = "e2e-revoke-s-2"
        await expectStatus(.failedPrecondition, containing: "REVOKED", "revoke twice") { try await hospital.settlements.revokeSettlement(revoke) }

        // The ledger: head, inclusion proof checked with YibaoCrypto, consistency proof, exact entry bytes.
        let headResponse = try await hospital.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
        let head = try #require(headResponse.head)
        let nodeKey = try SM2PublicKey(derSPKI: head.nodePublicKey)
        #expect(nodeKey == fixture.nodeKey.publicKey)
        let signedHead = try #require(TreeHead(signedBytes: head.signedBytes))
        #expect(SignedTreeHead(head: signedHead, signature: head.signature).isValid(for: nodeKey))
        var proofRequest = Yibao_V1_GetInclusionProofRequest()
        proofRequest.leaf = .txHash(receipt1.txHash)
        proofRequest.treeSize = head.treeSize
        let proof = try await hospital.ledger.getInclusionProof(proofRequest)
        let path = proof.path.compactMap { Digest32(bytes: $0) }
        let leaf1 = try #require(Digest32(bytes: receipt1.txHash))
        #expect(InclusionProof(leafIndex: proof.ledgerIndex, treeSize: proof.treeSize, path: path)
            .verify(leafHash: leaf1, root: signedHead.root))
        var entryRequest = Yibao_V1_GetEntryRequest()
        entryRequest.entry = .txHash(receipt1.txHash)
        await expectStatus(.permissionDenied, "a hospital reads another org's entry bytes") { try await hospital.ledger.getEntry(entryRequest) }
        let entryResponse = try await auditor.ledger.getEntry(entryRequest)
        let entry = try #require(entryResponse.entry)
        #expect(MerkleHashing().leafHash(entry.leafBytes).bytes == receipt1.txHash && entry.ledgerIndex == receipt1.ledgerIndex)
        entryRequest.entry = .ledgerIndex(1_000_000_000)
        await expectStatus(.notFound, "an entry beyond the log") { try await auditor.ledger.getEntry(entryRequest) }
        let early = try #require(earlyHead.head)
        var consistencyRequest = Yibao_V1_GetConsistencyProofRequest()
        consistencyRequest.firstTreeSize = early.treeSize
        consistencyRequest.secondTreeSize = head.treeSize
        let consistency = try await hospital.ledger.getConsistencyProof(consistencyRequest)
        let earlyRoot = try #require(Digest32(bytes: early.root))
        #expect(ConsistencyProof(oldSize: early.treeSize, newSize: head.treeSize, path: consistency.path.compactMap { Digest32(bytes: $0) })
            .verify(oldRoot: earlyRoot, newRoot: signedHead.root))
        consistencyRequest.firstTreeSize = 0
        await expectStatus(.invalidArgument, "a consistency proof from size 0") { try await hospital.ledger.getConsistencyProof(consistencyRequest) }
        var beyond = Yibao_V1_GetTreeHeadRequest()
        beyond.treeSize = 1_000_000_000
        await expectStatus(.notFound, "a head never signed") { try await hospital.ledger.getTreeHead(beyond) }

        // StreamEntries: the log from 0 in order, then live: a record written once the stream has caught up with
        // the signed head arrives on the open stream.
        let size = head.treeSize
        var streamRequest = Yibao_V1_StreamEntriesRequest()
        streamRequest.fromIndex = 0
        let streamed = try await auditor.ledger.streamEntries(streamRequest) { entries in
            var indexes: [UInt64] = []
            for try await entry in entries {
                indexes.append(entry.ledgerIndex)
                if entry.ledgerIndex + 1 == size {
                    _ = try await platform.invoices.issueInvoices(Records.issue("e2e-live-1", [Records.blueInvoice("0000000100")]))
                }
                if entry.requestId == "e2e-live-1" { break }  // exists only because of the write above
            }
            return indexes
        }
        #expect(!streamed.isEmpty && streamed == Array(0...streamed.last!), "every index once, in order, up to the live entry")
        #expect(streamed.last! >= size)

        // Identity: no identity, a signature by another org's key, a request that does not decode.
        let anonymous = try fixture.client(port: node.port, as: nil)
        await expectStatus(.unauthenticated, "a call without identity") { try await anonymous.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest()) }
        var forged = RPCClientConfiguration(host: "127.0.0.1", port: node.port)
        forged.callAuthenticator = RequestSigner(org: EndToEndNode.Org.hospital.rawValue,
                                                 privateKey: fixture.orgKeys[.bank]!).authenticator
        let forger = EndToEndNode.Client(try RPCClient(configuration: forged))
        await expectStatus(.unauthenticated, containing: "signature", "a signature by another key") {
            try await forger.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
        }
        await expectStatus(.internal, containing: "yibao.v1.GetInvoiceRequest", "a request that does not decode") {
            try await platform.rpc.unary(path: "/yibao.v1.InvoiceService/GetInvoice", request: [0x0a, 0xff, 0xff, 0xff])
        }

        for client in [platform, hospital, bureau, channel, auditor, anonymous, forger] { await client.close() }
        await node.shutdown()
    }
}
