import Foundation
import Testing
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// Every operation end to end through a real ledger: receipts, the state the service reads back, refusals with
/// their codes and messages, and a full verification (replay of every state database) at the end.
@Suite struct InvoiceSettlementOperationsTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    @Test func invoiceLifecycleEndToEnd() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let blues = (1...3).map { L.blue($0) }
        let issued = try await l.submit(L.platform, Records.issue(blues)).map { try $0.get() }
        #expect(issued.map(\.index) == [issued[0].index, issued[0].index + 1, issued[0].index + 2])
        let first = try #require(try l.service.invoice(blues[0].key))
        #expect(first.state.status == .issued && first.invoice == blues[0] && first.issueIndex == issued[0].index)

        // An identical re-issue is the original receipt; different content under the key is refused.
        let size = l.ledger.treeSize
        #expect(try await l.landed(L.platform, Records.issue([blues[0]])[0]).index == issued[0].index)
        #expect(l.ledger.treeSize == size)
        var altered = blues[0]
        altered.busNo = "MZ-other"
        #expect(try await l.refusal(L.platform, Records.issue([altered])[0])?.code == .alreadyExists)

        // Paper exchange, then lock → unlock → lock → entry → revoke entry by bureau A.
        let ref = L.reference(blues[0])
        try await l.landed(L.platform, Records.exchangePaper(PaperExchange(reference: ref, exchangeTime: "2024-03-02 08:00:00")))
        try await l.landed(L.bureauA, Records.statusChange(.lock, ref))
        #expect(try l.service.invoice(blues[0].key)?.state.summary == "LOCKED by org A, paper exchanged")
        try await l.landed(L.bureauA, Records.statusChange(.unlock, ref))
        try await l.landed(L.bureauA, Records.statusChange(.lock, ref))
        try await l.landed(L.bureauA, Records.statusChange(.recordEntry, ref, operatedTime: "2024-03-03 10:00:00", remark: "入账"))
        let entered = try #require(try l.service.invoice(blues[0].key)).state
        #expect(entered.status == .entered && entered.enteringOrg == "A" && entered.lockingOrg == "A" && entered.paperExchanged)
        #expect(try await l.refusal(L.bureauB, Records.statusChange(.lock, ref))
                == LedgerError(.failedPrecondition, "invoice \(blues[0].key) is ENTERED by org A, paper exchanged; cannot lock"))
        try await l.landed(L.bureauA, Records.statusChange(.revokeEntry, ref))
        #expect(try l.service.invoice(blues[0].key)?.state.summary == "ISSUED, paper exchanged")

        // Reverse invoice 2 with red invoice 10: both states change in one entry, linked both ways.
        let red = L.red(10, reversing: blues[1])
        let reversal = try await l.landed(L.platform, Records.reverse(red))
        let blueState = try #require(try l.service.invoice(blues[1].key)).state
        let redState = try #require(try l.service.invoice(red.key)).state
        #expect(blueState.status == .reversed && blueState.reversedBy == red.key)
        #expect(redState.colour == .red && redState.reverses == blues[1].key)
        #expect(try l.service.trace(invoice: blues[1].key) == [issued[1].index, reversal.index])
        #expect(try l.service.trace(invoice: red.key) == [reversal.index])
        #expect(try await l.refusal(L.bureauA, Records.statusChange(.lock, L.reference(blues[1])))
                == LedgerError(.failedPrecondition, "invoice \(blues[1].key) is REVERSED by red invoice \(red.key); cannot lock"))
        #expect(try await l.landed(L.platform, Records.reverse(red)).index == reversal.index)  // a repeat

        // Refusals that need no state, or the invoice's details.
        #expect(try await l.refusal(L.bureauA, Records.statusChange(.lock, InvoiceReference(invoiceCode: "46010624", invoiceNumber: "0000000999", checkCode: "a1B2c3")))
                == LedgerError(.notFound, "invoice 46010624/0000000999 does not exist; cannot lock"))
        #expect(try await l.refusal(L.bureauA, Records.statusChange(.lock, InvoiceReference(invoiceCode: "46010624", invoiceNumber: blues[2].invoiceNumber, checkCode: "XXXXXX")))
                == LedgerError(.invalidArgument, "records[0].check_code: does not match invoice \(blues[2].key)"))
        try l.verifyFully()
    }

    @Test func settlementsAndLinksEndToEnd() async throws {
        let l = try await L()
        defer { l.shutdown() }
        // Invoice first, settlement second: the upload completes the link.
        let early = L.blue(1, setlId: "S1")
        let issueEarly = try await l.landed(L.platform, Records.issue([early])[0])
        #expect(try l.service.linkedSettlement(of: early.key) == nil)
        #expect(try l.service.invoice(early.key)?.linkedSetlId == nil, "named, not linked: the settlement is not here yet")
        let s1 = L.settlement("S1")
        let upload1 = try await l.landed(L.hospital, Records.upload([s1])[0])
        #expect(try l.service.linkedSettlement(of: early.key) == "S1")
        #expect(try l.service.invoice(early.key)?.linkedSetlId == "S1")
        #expect(try l.service.linkedInvoices(of: "S1") == [early.key])
        #expect(try l.service.trace(invoice: early.key) == [issueEarly.index, upload1.index])
        #expect(try l.service.trace(settlement: "S1") == [upload1.index])
        let stored = try #require(try l.service.settlement("S1"))
        #expect(stored.settlement == s1 && stored.state.status == .uploaded && stored.uploadIndex == upload1.index)

        // Identical re-upload: the original receipt. Different content under the setl_id: already exists.
        #expect(try await l.landed(L.hospital, Records.upload([s1])[0]) == upload1)
        var changed = s1
        changed.balc += 1
        #expect(try await l.refusal(L.hospital, Records.upload([changed])[0])?.code == .alreadyExists)

        // Settlement first, invoice second: the issue completes the link.
        let s2 = L.settlement("S2")
        let upload2 = try await l.landed(L.hospital, Records.upload([s2])[0])
        let late = L.blue(2, setlId: "S2")
        let issueLate = try await l.landed(L.platform, Records.issue([late])[0])
        #expect(try l.service.linkedSettlement(of: late.key) == "S2")
        #expect(try l.service.trace(settlement: "S2") == [upload2.index, issueLate.index])

        // Explicit link of an invoice issued without setl_id; a repeat is the original receipt.
        let plain = L.blue(3)
        try await l.landed(L.platform, Records.issue([plain])[0])
        let s3 = L.settlement("S3")
        try await l.landed(L.hospital, Records.upload([s3])[0])
        let link = try await l.landed(L.hospital, Records.link(L.reference(plain), setlId: "S3"))
        #expect(try l.service.linkedSettlement(of: plain.key) == "S3")
        #expect(try l.service.invoice(plain.key)?.linkedSetlId == "S3")
        #expect(try l.service.invoice(plain.key)?.state.setlId == "S3")
        #expect(try await l.landed(L.hospital, Records.link(L.reference(plain), setlId: "S3")) == link)
        #expect(try await l.refusal(L.hospital, Records.link(L.reference(plain), setlId: "S1"))
                == LedgerError(.failedPrecondition, "invoice \(plain.key) is ISSUED and linked to settlement S3; cannot link settlement S1"))
        #expect(try await l.refusal(L.hospital, Records.link(L.reference(L.blue(1)), setlId: "NOPE"))
                == LedgerError(.notFound, "settlement NOPE does not exist; cannot link invoice \(early.key)"))

        // Another hospital may neither upload for this one nor link its invoices.
        #expect(try await l.refusal(L.otherHospital, Records.upload([L.settlement("S9")])[0])
                == LedgerError(.permissionDenied, "role hospital (org \(L.otherHospital)) may not upload_settlement: the record belongs to \(L.hospital), not to it"))
        #expect(try await l.refusal(L.otherHospital, Records.link(L.reference(plain), setlId: "S3"))?.code == .permissionDenied)

        // Revocation: wrong visit, then the real one, then again; linking to a revoked settlement is refused.
        var wrongVisit = L.revocation(of: s1)
        wrongVisit.mdtrtId = "M-other"
        #expect(try await l.refusal(L.hospital, Records.revoke(wrongVisit))
                == LedgerError(.invalidArgument, "records[0].mdtrt_id: 'M-other' does not match settlement S1"))
        let revoke = try await l.landed(L.hospital, Records.revoke(L.revocation(of: s1)))
        #expect(try l.service.settlement("S1")?.state.summary == "REVOKED by org \(L.hospital)")
        #expect(try l.service.trace(settlement: "S1") == [upload1.index, revoke.index])
        #expect(try await l.refusal(L.bureauA, Records.revoke(L.revocation(of: s1)))
                == LedgerError(.failedPrecondition, "settlement S1 is REVOKED by org \(L.hospital); cannot revoke"))
        let plain4 = L.blue(4)
        try await l.landed(L.platform, Records.issue([plain4])[0])
        #expect(try await l.refusal(L.hospital, Records.link(L.reference(plain4), setlId: "S1"))
                == LedgerError(.failedPrecondition, "settlement S1 is REVOKED by org \(L.hospital); cannot link invoice \(plain4.key)"))
        // The bureau reviews revocations too.
        try await l.landed(L.bureauA, Records.revoke(L.revocation(of: s2)))
        #expect(try await l.refusal(L.hospital, Records.revoke(L.revocation(of: L.settlement("S404"))))?.code == .notFound)
        try l.verifyFully()
    }

    /// At most `maxInvoicesPerSettlement` invoices name one settlement: before its upload they are pending links,
    /// after it completed ones (the upload completes the pending), and each kind is counted.
    @Test func aSettlementIsNamedByAtMostTheLimitOfInvoices() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let limit = InvoiceSettlementRules.maxInvoicesPerSettlement
        func full(_ setlId: String, _ n: Int) -> LedgerError {
            LedgerError(.failedPrecondition, "settlement \(setlId) is already named by \(n) invoices; the limit is \(limit)")
        }
        // Before its upload: pending links alone fill it.
        _ = try await l.submit(L.platform, Records.issue((1...limit).map { L.blue($0, setlId: "S-PENDING") })).map { try $0.get() }
        #expect(try await l.refusal(L.platform, Records.issue([L.blue(limit + 1, setlId: "S-PENDING")])[0]) == full("S-PENDING", limit))

        // Links completed by the upload (the invoices named it before) and links completed at issue count alike.
        let before = limit / 2
        _ = try await l.submit(L.platform, Records.issue((101...(100 + before)).map { L.blue($0, setlId: "S-MIXED") })).map { try $0.get() }
        try await l.landed(L.hospital, Records.upload([L.settlement("S-MIXED")])[0])
        #expect(try l.service.linkedInvoices(of: "S-MIXED").count == before)
        _ = try await l.submit(L.platform, Records.issue(((101 + before)...(100 + limit)).map { L.blue($0, setlId: "S-MIXED") }))
            .map { try $0.get() }
        #expect(try l.service.linkedInvoices(of: "S-MIXED").count == limit)
        #expect(try await l.refusal(L.platform, Records.issue([L.blue(200, setlId: "S-MIXED")])[0]) == full("S-MIXED", limit))
        let plain = L.blue(201)
        try await l.landed(L.platform, Records.issue([plain])[0])
        #expect(try await l.refusal(L.hospital, Records.link(L.reference(plain), setlId: "S-MIXED")) == full("S-MIXED", limit))
        try l.verifyFully()
    }

    @Test func permissionsAndShapeAreCheckedPerRecord() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let blue = L.blue(1)
        let ref = L.reference(blue)
        try await l.landed(L.platform, Records.issue([blue])[0])
        let lock = Records.statusChange(.lock, ref)
        #expect(try await l.refusal(L.platform, lock)
                == LedgerError(.permissionDenied, "role invoice_platform (org \(L.platform)) may not lock_invoice"))
        #expect(try await l.refusal(L.hospital, Records.issue([L.blue(2)])[0])
                == LedgerError(.permissionDenied, "role hospital (org \(L.hospital)) may not issue_invoice"))
        #expect(try await l.refusal(L.auditor, lock)
                == LedgerError(.permissionDenied, "role auditor (org \(L.auditor)) may not lock_invoice: the role is read-only"))
        // A bureau of another province: refused by the invoice's region, known only from the stored invoice.
        #expect(try await l.refusal(L.foreignBureau, lock)
                == LedgerError(.permissionDenied, "role insurance_bureau (org \(L.foreignBureau)) may not lock_invoice: the record's region 460106 is outside its region 11"))
        // Shape: garbage, a red invoice as an issue, a lock recorded under the unlock kind, a bad field.
        #expect(try await l.refusal(L.platform, LedgerRecord(kind: .invoiceIssued, payload: [1, 2, 3]))?.message
                .hasPrefix("records[0].payload: ") == true)
        #expect(try await l.refusal(L.platform, Records.issue([L.red(5, reversing: blue)])[0])
                == LedgerError(.invalidArgument, "records[0].colour: a RED invoice is submitted as invoice_reversed"))
        #expect(try await l.refusal(L.bureauA, LedgerRecord(kind: .invoiceUnlocked, payload: InvoiceStatusChange(action: .lock, reference: ref).encoded))
                == LedgerError(.invalidArgument, "records[0].action: lock is recorded as invoice_locked, not as kind 104"))
        var bad = L.blue(3)
        bad.totalAmount += 1
        let outcomes = try await l.submit(L.platform, Records.issue([L.blue(4), bad]))
        #expect((try? outcomes[0].get()) != nil)
        guard case .failure(let refusal) = outcomes[1] else { Issue.record("a wrong total must be refused"); return }
        #expect(refusal.code == .invalidArgument && refusal.message.hasPrefix("records[1].total_amount: "))
        try l.verifyFully()
    }

    @Test func traceListsEveryTouchingEntryInOrderEachProvable() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let blue = L.blue(1, setlId: "S1")
        let ref = L.reference(blue)
        var expected: [Receipt] = []
        expected.append(try await l.landed(L.platform, Records.issue([blue])[0]))
        try await l.landed(L.platform, Records.issue([L.blue(2)])[0])  // touches another invoice only
        expected.append(try await l.landed(L.platform, Records.exchangePaper(PaperExchange(reference: ref, exchangeTime: "2024-03-02 08:00:00"))))
        expected.append(try await l.landed(L.bureauA, Records.statusChange(.lock, ref)))
        _ = try await l.refusal(L.bureauB, Records.statusChange(.lock, ref))  // refused: no entry
        expected.append(try await l.landed(L.hospital, Records.upload([L.settlement("S1")])[0]))
        expected.append(try await l.landed(L.bureauA, Records.statusChange(.recordEntry, ref)))
        expected.append(try await l.landed(L.bureauA, Records.statusChange(.revokeEntry, ref)))
        let trace = try l.service.trace(invoice: blue.key)
        #expect(trace == expected.map(\.index))
        // Paging gives the same list.
        let firstPage = try l.service.trace(invoice: blue.key, limit: 2)
        let rest = try l.service.trace(invoice: blue.key, after: firstPage.last)
        #expect(firstPage + rest == trace)
        let root = try l.ledger.root()
        for receipt in expected {
            let proof = try l.ledger.inclusionProof(index: receipt.index)
            #expect(proof.verify(leafHash: receipt.transactionHash, root: root), "entry \(receipt.index)")
            #expect(try l.ledger.entry(at: receipt.index).leafHash == receipt.transactionHash)
        }
        try l.verifyFully()
    }

    @Test func aTracePageAndItsEntriesAreReadInOneSnapshot() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let blue = L.blue(1)
        let ref = L.reference(blue)
        var expected = [try await l.landed(L.platform, Records.issue([blue])[0])]
        for action in [InvoiceAction.lock, .unlock, .lock, .unlock, .lock] {
            expected.append(try await l.landed(L.bureauA, Records.statusChange(action, ref)))
        }
        let before = l.ledger.readTransactionCount
        let page = try l.service.traceEntries(invoice: blue.key)
        #expect(l.ledger.readTransactionCount - before == 1, "one read transaction for the page, not one per entry")
        #expect(page.map(\.index) == expected.map(\.index))
        #expect(page.map(\.leafHash) == expected.map(\.transactionHash))
        let second = try l.service.traceEntries(invoice: blue.key, after: expected[1].index, limit: 2)
        #expect(second.map(\.index) == [expected[2].index, expected[3].index])
        #expect(try l.service.traceEntries(settlement: "S-none").isEmpty)

        // A stream's chunk: one snapshot, bounded by its range and by bytes (at least one entry).
        let range = expected[0].index..<(expected[5].index + 1)
        let beforeRange = l.ledger.readTransactionCount
        let entries = try l.ledger.entries(in: range, maxBytes: .max)
        #expect(l.ledger.readTransactionCount - beforeRange == 1)
        #expect(entries.map(\.index) == Array(range))
        #expect(entries.last == (try l.ledger.entry(at: expected[5].index)))
        #expect(try l.ledger.entries(in: range, maxBytes: 1).map(\.index) == [range.lowerBound])
        let twoEntries = entries[0].bytes.count + entries[1].bytes.count
        #expect(try l.ledger.entries(in: range, maxBytes: twoEntries).count == 2)
        #expect(throws: LedgerError.self) { try l.ledger.entries(in: l.ledger.treeSize..<(l.ledger.treeSize + 1), maxBytes: 1) }
    }

    @Test func registryRoleStringsCarryABureausRegion() throws {
        #expect(try DomainCaller.caller(code: "B4601", role: "insurance_bureau:4601") == Caller(role: .insuranceBureau, org: "B4601", region: "4601"))
        #expect(try DomainCaller.caller(code: "H1", role: "hospital") == Caller(role: .hospital, org: "H1"))
        #expect(DomainCaller.roleName(.insuranceBureau, region: "46") == "insurance_bureau:46")
        #expect(throws: LedgerError(.permissionDenied, "role clerk (org C1) is not a role of the invoice and settlement domain")) {
            try DomainCaller.caller(code: "C1", role: "clerk")
        }
        #expect(throws: LedgerError(.permissionDenied, "role insurance_bureau:46x (org B1) names a region that is not a 行政区划 code")) {
            try DomainCaller.caller(code: "B1", role: "insurance_bureau:46x")
        }
        // A combining mark after the colon belongs to the region, which it spoils; it does not vanish with the colon.
        #expect(throws: LedgerError.self) { try DomainCaller.caller(code: "B1", role: "insurance_bureau:\u{301}4601") }
        #expect(try DomainCaller.caller(code: "B1", role: "insurance_bureau:") == Caller(role: .insuranceBureau, org: "B1"))
    }
}
