import Foundation
import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// 票实核对 through the ledger: each compared field caught on its own, exact to the fen, and the batch form over an
/// institution and a date range with its counts and lists.
@Suite struct InvoiceSettlementReconciliationTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    /// One settlement change per compared field (the settlement's own sums kept valid) and the mismatch it causes.
    static let cases: [(name: String, change: @Sendable (inout Settlement) -> Void, expected: FieldMismatch)] = [
        ("total", { $0.medfeeSumamt += 1; $0.hospPartAmt += 1 }, FieldMismatch(field: .totalAmount, settlementFen: 10_001, invoiceFen: 10_000)),
        ("fund", { $0.hifmiPay -= 1; $0.fundPaySumamt -= 1; $0.hospPartAmt += 1 },
         FieldMismatch(field: .fundAmount, settlementFen: 5_999, invoiceFen: 6_000)),
        ("account", { $0.acctPay -= 1; $0.psnPartAmt -= 1; $0.hospPartAmt += 1 },
         FieldMismatch(field: .accountAmount, settlementFen: 1_499, invoiceFen: 1_500)),
        ("cash", { $0.psnCashPay -= 1; $0.psnPartAmt -= 1; $0.hospPartAmt += 1 },
         FieldMismatch(field: .cashAmount, settlementFen: 2_499, invoiceFen: 2_500)),
        ("date", { $0.setlTime = "2024-03-02 11:00:00" },
         FieldMismatch(field: .date, settlementValue: "2024-03-02 11:00:00", invoiceValue: "2024-03-01")),
        ("institution", { $0.fixmedinsCode = L.otherHospital },
         FieldMismatch(field: .institutionCode, settlementValue: L.otherHospital, invoiceValue: L.hospital)),
        ("institution name", { $0.fixmedinsName = "三亚市人民医院" },
         FieldMismatch(field: .institutionName, settlementValue: "三亚市人民医院", invoiceValue: "海口市人民医院")),
        ("person", { $0.psnName = "李四" }, FieldMismatch(field: .personName, settlementValue: "李四", invoiceValue: "张三")),
    ]

    @Test func eachComparedFieldIsCaughtExactly() async throws {
        let l = try await L()
        defer { l.shutdown() }
        // The consistent pair first.
        try await l.landed(L.platform, Records.issue([L.blue(1, setlId: "S1")])[0])
        try await l.landed(L.hospital, Records.upload([L.settlement("S1")])[0])
        let consistent = try #require(try l.service.reconcile(invoice: L.key(1)))
        #expect(consistent.isConsistent && consistent.setlId == "S1")
        for (offset, c) in Self.cases.enumerated() {
            let n = offset + 2
            var settlement = L.settlement("S\(n)")
            c.change(&settlement)
            // Half the pairs link on the upload, half on the issue; a settlement of another hospital is its own.
            let uploader = settlement.fixmedinsCode
            if n % 2 == 0 { try await l.landed(uploader, Records.upload([settlement])[0]) }
            try await l.landed(L.platform, Records.issue([L.blue(n, setlId: settlement.setlId)])[0])
            if n % 2 == 1 { try await l.landed(uploader, Records.upload([settlement])[0]) }
            let report = try #require(try l.service.reconcile(invoice: L.key(n)), "\(c.name)")
            #expect(report.mismatches == [c.expected], "\(c.name)")
            #expect(!report.linkedToRevokedSettlement)
        }
        // setl_id: the invoice against a settlement other than the one it names.
        let crossed = try #require(try l.service.reconcile(invoice: L.key(1), settlement: "S2"))
        #expect(crossed.mismatches.first == FieldMismatch(field: .setlId, settlementValue: "S2", invoiceValue: "S1"))
        // Revoked: the pair is flagged.
        try await l.landed(L.hospital, Records.revoke(L.revocation(of: L.settlement("S1"))))
        #expect(try l.service.reconcile(invoice: L.key(1))?.linkedToRevokedSettlement == true)
        #expect(try l.service.reconcile(invoice: L.key(99)) == nil)
        try l.verifyFully()
    }

    @Test func batchOverAnInstitutionAndDays() async throws {
        let l = try await L()
        defer { l.shutdown() }
        func pair(_ n: Int, _ change: (inout Settlement) -> Void = { _ in }, day: String = "2024-03-01") async throws {
            var settlement = L.settlement("S\(n)")
            settlement.setlTime = "\(day) 11:00:00"
            change(&settlement)
            var invoice = L.blue(n, setlId: settlement.setlId)
            invoice.medicalDate = day
            try await l.landed(L.platform, Records.issue([invoice])[0])
            try await l.landed(settlement.fixmedinsCode, Records.upload([settlement])[0])
        }
        try await pair(1)                                                   // consistent
        try await pair(2) { $0.medfeeSumamt += 7; $0.hospPartAmt += 7 }     // 票结不符
        try await pair(3)
        try await l.landed(L.bureauA, Records.revoke(L.revocation(of: L.settlement("S3"))))  // linked to a revoked one
        try await l.landed(L.hospital, Records.upload([L.settlement("S4")])[0])              // no invoice
        try await l.landed(L.platform, Records.issue([L.blue(5)])[0])                       // fund paid, no settlement
        try await l.landed(L.platform, Records.issue([L.blue(6, setlId: "S6")])[0])         // names one never uploaded
        try await pair(7)
        try await l.landed(L.platform, Records.reverse(L.red(107, reversing: L.blue(7, setlId: "S7"))))  // S7 left alone
        try await pair(8, day: "2024-04-01")                                                // outside the range
        try await pair(9) { $0.fixmedinsCode = L.otherHospital }            // the pair is the invoice's hospital's business
        try await l.landed(L.otherHospital, Records.upload([L.settlement("S10", fixmedinsCode: L.otherHospital)])[0])

        let result = try l.service.reconcile(institution: L.hospital, from: "2024-03-01", through: "2024-03-31")
        let batch = result.batch
        #expect(result.complete && result.scanned == 13)
        #expect(batch.compared == 4 && batch.consistent == 1)
        #expect(batch.mismatchedCount == 2)
        #expect(batch.mismatched.map(\.invoiceKey) == [L.key(2), L.key(9)])
        #expect(batch.mismatched.first?.mismatches == [FieldMismatch(field: .totalAmount, settlementFen: 10_007, invoiceFen: 10_000)])
        #expect(batch.revokedLinkCount == 1 && batch.revokedLinks.map(\.invoiceKey) == [L.key(3)])
        #expect(batch.invoicesWithoutSettlement == [L.key(5), L.key(6)])
        #expect(batch.settlementsWithoutInvoice == ["S4", "S7"])
        #expect(!batch.truncated)

        // Bounded: lists cut at their limit, the scan at its.
        let cut = try l.service.reconcile(institution: L.hospital, from: "2024-03-01", through: "2024-03-31", listLimit: 1)
        #expect(cut.batch.truncated && cut.batch.invoicesWithoutSettlementCount == 2 && cut.batch.invoicesWithoutSettlement.count == 1)
        let partial = try l.service.reconcile(institution: L.hospital, from: "2024-03-01", through: "2024-03-31", scanLimit: 3)
        #expect(!partial.complete && partial.scanned == 3)
        let april = try l.service.reconcile(institution: L.hospital, from: "2024-04-01", through: "2024-04-01")
        #expect(april.batch.compared == 1 && april.batch.consistent == 1 && april.scanned == 2)
        #expect(throws: LedgerError(.invalidArgument, "through: must not be before from 2024-03-31")) {
            try l.service.reconcile(institution: L.hospital, from: "2024-03-31", through: "2024-03-01")
        }
        try l.verifyFully()
    }

    @Test func batchLimitsHaveMaximums() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let maxList = ReconciliationBatch.maxListLimit, maxScan = InstitutionReconciliation.maxScanLimit
        #expect(throws: LedgerError(.invalidArgument, "list_limit: must be 0 to \(maxList), got \(maxList + 1)")) {
            try l.service.reconcile(institution: L.hospital, from: "2024-03-01", through: "2024-03-31", listLimit: maxList + 1)
        }
        #expect(throws: LedgerError(.invalidArgument, "scan_limit: must be 1 to \(maxScan), got \(maxScan + 1)")) {
            try l.service.reconcile(institution: L.hospital, from: "2024-03-01", through: "2024-03-31", scanLimit: maxScan + 1)
        }
        let atMaximum = try l.service.reconcile(institution: L.hospital, from: "2024-03-01", through: "2024-03-31",
                                                listLimit: maxList, scanLimit: maxScan)
        #expect(atMaximum.complete && atMaximum.scanned == 0)
    }
}
