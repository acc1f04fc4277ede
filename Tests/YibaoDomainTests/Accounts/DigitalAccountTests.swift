import Foundation
import Testing
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// Digital accounts (数字账户 / 归户) through a real ledger: opened on first sight, invoices attached by payer_code
/// (and by psn_no once a settlement tied it), settlements by certno, pages newest first, no ID number in the state.
@Suite struct DigitalAccountTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    static let certno = DomainFixtures.validCertno
    /// A second valid resident ID number (check character computed).
    static let otherCertno: String = {
        let first17 = "46010619900101123"
        return first17 + String(ResidentIDNumber.checkCharacter(forFirst17: first17)!)
    }()

    static func invoice(_ n: Int, payer: String = certno, psnNo: String = "", setlId: String = "") -> Invoice {
        var invoice = L.blue(n, setlId: setlId)
        invoice.payerCode = payer
        invoice.medicalInsuranceId = psnNo.isEmpty ? invoice.medicalInsuranceId : psnNo
        return invoice
    }

    @Test func accountOpensOnFirstSightAndCollectsThePersonsRecords() async throws {
        let l = try await L()
        defer { l.shutdown() }
        #expect(try l.service.account(certno: Self.certno) == nil)

        // First sight: an invoice of an individual payer opens the account in the issuing entry.
        let first = try await l.landed(L.platform, Records.issue([Self.invoice(1, setlId: "S1")])[0])
        let opened = try #require(try l.service.account(certno: Self.certno))
        #expect(opened.openedIndex == first.index && opened.openedTimeMs == first.commitTimeMs)
        #expect(opened.invoices == 1 && opened.settlements == 0 && opened.latestIndex == first.index)

        // The settlement of the same person attaches by certno (and ties its psn_no to the account).
        let upload = try await l.landed(L.hospital, Records.upload([L.settlement("S1")])[0])
        // A lowercase check character reaches the same account; so does an invoice naming only the psn_no.
        let lower = try await l.landed(L.platform, Records.issue([Self.invoice(2, payer: Self.certno.lowercased())])[0])
        var byPsnNo = Self.invoice(3, payer: "")
        byPsnNo.medicalInsuranceId = DomainFixtures.settlement().psnNo
        let psn = try await l.landed(L.platform, Records.issue([byPsnNo])[0])
        // Not attached here: an organization payer, and another person (who gets an account of their own).
        var company = Self.invoice(4, payer: "91460100MA5T000000")
        company.payerType = .organization
        try await l.landed(L.platform, Records.issue([company])[0])
        let other = try await l.landed(L.platform, Records.issue([Self.invoice(5, payer: Self.otherCertno)])[0])
        // A repeat attaches nothing.
        try await l.landed(L.platform, Records.issue([Self.invoice(1, setlId: "S1")])[0])

        let account = try #require(try l.service.account(certno: Self.certno))
        #expect(account.openedIndex == first.index && account.invoices == 3 && account.settlements == 1)
        #expect(account.latestIndex == psn.index)
        #expect(try l.service.account(psnNo: DomainFixtures.settlement().psnNo) == account)
        let page = try l.service.accountRecords(certno: Self.certno, pageSize: 10)
        #expect(page.records == [AccountRecord(index: psn.index, reference: .invoice(Self.invoice(3).key)),
                                 AccountRecord(index: lower.index, reference: .invoice(Self.invoice(2).key)),
                                 AccountRecord(index: upload.index, reference: .settlement("S1")),
                                 AccountRecord(index: first.index, reference: .invoice(Self.invoice(1).key))])
        #expect(page.next == nil)
        let second = try #require(try l.service.account(certno: Self.otherCertno))
        #expect(second.openedIndex == other.index && second.invoices == 1 && second.person != account.person)

        // The state keeps keyed hashes only: the ID number appears in no account or grant database.
        let needles = [Array(Self.certno.utf8), Array(Self.otherCertno.utf8)]
        try l.ledger.readState { state in
            for name in DigitalAccountStore.databaseNames + AuthorizationStore.databaseNames {
                try state.txn.forEach(state.database(name)) { key, value in
                    for needle in needles {
                        #expect(!Self.contains(Array(key), needle) && !Self.contains(Array(value), needle), "\(name) holds a certno")
                    }
                    return true
                }
            }
        }
        try l.verifyFully()
    }

    @Test func pagesWalkNewestFirstAcrossPageBoundaries() async throws {
        let l = try await L()
        defer { l.shutdown() }
        var indexes: [UInt64] = []
        for n in 1...7 { indexes.append(try await l.landed(L.platform, Records.issue([Self.invoice(n)])[0]).index) }
        var seen: [UInt64] = []
        var cursor: UInt64? = nil
        var pages = 0
        repeat {
            let page = try l.service.accountRecords(certno: Self.certno, pageSize: 3, after: cursor)
            #expect(page.records.count == (pages < 2 ? 3 : 1))
            seen += page.records.map(\.index)
            cursor = page.next
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen == indexes.reversed())
        #expect(try l.service.accountRecords(certno: Self.certno, pageSize: 3, after: indexes[0]).records.isEmpty)
        #expect(throws: LedgerError(.invalidArgument, "page_size: must be 1 to 1000, got 0")) {
            try l.service.accountRecords(certno: Self.certno, pageSize: 0)
        }
        #expect(throws: LedgerError(.invalidArgument, "page_size: must be 1 to 1000, got 1001")) {
            try l.service.accountRecords(certno: Self.certno, pageSize: 1001)
        }
        #expect(try l.service.accountRecords(certno: Self.otherCertno).records.isEmpty)
        try l.verifyFully()
    }

    @Test func anotherDataKeyGivesOtherAccountKeys() async throws {
        let mine = try NodeDataKey(NodeDataKey.random()).personIndex
        let theirs = try NodeDataKey(NodeDataKey.random()).personIndex
        #expect(mine.person(certno: Self.certno) != theirs.person(certno: Self.certno))
        #expect(mine.person(certno: Self.certno) == mine.person(certno: Self.certno.lowercased()))
        #expect(mine.psnNo("P1").bytes != mine.person(certno: "P1").digest.bytes, "psn_no and certno hash apart")
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
