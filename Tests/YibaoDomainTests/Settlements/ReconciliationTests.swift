import Testing
@testable import YibaoDomain

/// 票实核对: a consistent pair, then a mismatch in each compared field on its own, reported with both values.
@Suite struct ReconciliationTests {
    typealias Change = @Sendable (inout Invoice, inout Settlement) -> Void

    static let cases: [(Change, String)] = [
        ({ i, _ in i.setlId = "S9" }, "setl_id: settlement S460106202403010001, invoice S9"),
        ({ i, _ in i.medicalDate = "2024-02-29" }, "setl_time vs medical_date: settlement 2024-03-01 11:00:00, invoice 2024-02-29"),
        ({ _, s in s.setlTime = "2024-03-02 00:00:01" }, "setl_time vs medical_date: settlement 2024-03-02 00:00:01, invoice 2024-03-01"),
        ({ _, s in s.fixmedinsCode = "H46010600002" },
         "fixmedins_code vs invoicing_party_code: settlement H46010600002, invoice H46010600001"),
        ({ i, _ in i.invoicingPartyName = "海口市第二人民医院" },
         "fixmedins_name vs invoicing_party_name: settlement 海口市人民医院, invoice 海口市第二人民医院"),
        ({ _, s in s.psnName = "李四" }, "psn_name vs payer_name: settlement 李四, invoice 张三"),
        ({ _, s in s.medfeeSumamt = 10_001 }, "medfee_sumamt vs total_amount: settlement 10001 fen, invoice 10000 fen"),
        ({ i, _ in i.fundPayAmount = 5_999 }, "fund_pay_sumamt vs fund_pay_amount: settlement 6000 fen, invoice 5999 fen"),
        ({ _, s in s.acctPay = 1_499 }, "acct_pay vs account_pay_amount: settlement 1499 fen, invoice 1500 fen"),
        ({ i, _ in i.ownPayAmount = 2_501 }, "psn_cash_pay vs own_pay_amount: settlement 2500 fen, invoice 2501 fen"),
    ]

    @Test func aConsistentPairHasNoFindings() {
        let report = Reconciliation.reconcile(invoice: DomainFixtures.blueInvoice(), settlement: DomainFixtures.settlement(),
                                              settlementStatus: .uploaded)
        #expect(report.mismatches.isEmpty && report.isConsistent && !report.linkedToRevokedSettlement)
        #expect(report.invoiceKey == DomainFixtures.blueKey && report.setlId == "S460106202403010001")
    }

    @Test func eachFieldIsCaughtOnItsOwn() {
        for (change, expected) in Self.cases {
            var invoice = DomainFixtures.blueInvoice()
            var settlement = DomainFixtures.settlement()
            change(&invoice, &settlement)
            let report = Reconciliation.reconcile(invoice: invoice, settlement: settlement, settlementStatus: .uploaded)
            #expect(report.mismatches.map(\.description) == [expected])
            #expect(!report.isConsistent)
        }
        let covered = Set(Self.cases.map { String($0.1.prefix { $0 != ":" }) })
        #expect(covered == Set(ReconciledField.allCases.map(\.rawValue)))
    }

    @Test func everyMismatchIsReportedTogether() {
        var invoice = DomainFixtures.blueInvoice()
        var settlement = DomainFixtures.settlement()
        for (change, _) in Self.cases { change(&invoice, &settlement) }
        let report = Reconciliation.reconcile(invoice: invoice, settlement: settlement, settlementStatus: .revoked)
        #expect(report.mismatches.map(\.field) == ReconciledField.allCases)
        #expect(report.linkedToRevokedSettlement)
    }

    @Test func aRevokedSettlementIsFlagged() {
        let report = Reconciliation.reconcile(invoice: DomainFixtures.blueInvoice(), settlement: DomainFixtures.settlement(),
                                              settlementStatus: .revoked)
        #expect(report.mismatches.isEmpty && report.linkedToRevokedSettlement && !report.isConsistent)
    }

    @Test func inpatientSettlesOnOrAfterAdmission() {
        var invoice = DomainFixtures.blueInvoice()
        invoice.invoiceKind = .inpatient
        invoice.medicalDate = "2024-02-20 08:00:00"
        var settlement = DomainFixtures.settlement()
        #expect(Reconciliation.reconcile(invoice: invoice, settlement: settlement, settlementStatus: .uploaded).isConsistent)
        settlement.setlTime = "2024-02-19 23:59:59"
        #expect(Reconciliation.reconcile(invoice: invoice, settlement: settlement, settlementStatus: .uploaded).mismatches.map(\.field)
                == [.date])
    }

    @Test func interpretations() {
        // An organization paying is named as itself: no person name to compare.
        var invoice = DomainFixtures.blueInvoice()
        invoice.payerType = .organization
        invoice.payerName = "某某有限公司"
        #expect(Reconciliation.reconcile(invoice: invoice, settlement: DomainFixtures.settlement(), settlementStatus: .uploaded).isConsistent)
        // An explicitly linked invoice carries no setl_id of its own.
        invoice = DomainFixtures.blueInvoice()
        invoice.setlId = ""
        #expect(Reconciliation.reconcile(invoice: invoice, settlement: DomainFixtures.settlement(), settlementStatus: .uploaded).isConsistent)
        // The fund line is compared with all funds together, not hifp_pay alone (here 5000 of 6000).
        #expect(DomainFixtures.settlement().hifpPay != DomainFixtures.blueInvoice().fundPayAmount)
        #expect(ReconciledField.personName.isPII && !ReconciledField.totalAmount.isPII)
    }
}

@Suite struct ReconciliationBatchTests {
    @Test func countsAreExactAndListsBounded() {
        var batch = ReconciliationBatch(listLimit: 2)
        let good = Reconciliation.reconcile(invoice: DomainFixtures.blueInvoice(), settlement: DomainFixtures.settlement(),
                                            settlementStatus: .uploaded)
        var invoice = DomainFixtures.blueInvoice()
        invoice.totalAmount += 1
        let bad = Reconciliation.reconcile(invoice: invoice, settlement: DomainFixtures.settlement(), settlementStatus: .revoked)
        batch.add(good)
        for _ in 0..<3 { batch.add(bad) }
        batch.addInvoiceWithoutSettlement(DomainFixtures.redKey)
        batch.addSettlementWithoutInvoice("S9")
        #expect(batch.compared == 4 && batch.consistent == 1)
        #expect(batch.mismatchedCount == 3 && batch.mismatched.count == 2)
        #expect(batch.revokedLinkCount == 3 && batch.revokedLinks.count == 2)
        #expect(batch.invoicesWithoutSettlement == [DomainFixtures.redKey] && batch.settlementsWithoutInvoice == ["S9"])
        #expect(batch.truncated)
    }
}
