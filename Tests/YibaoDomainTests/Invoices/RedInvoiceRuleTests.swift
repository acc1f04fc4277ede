import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// The stateful red-invoice rule: an existing BLUE invoice, the same issuer and kind, every amount mirrored.
@Suite struct RedInvoiceRuleTests {
    static let blue = DomainFixtures.blueInvoice()
    static let blueState = InvoiceState(issuing: DomainFixtures.blueInvoice(), by: DomainFixtures.platform)

    @Test func aMirroringRedInvoicePasses() throws {
        try RedInvoiceRule.check(DomainFixtures.redInvoice(), blue: Self.blue, blueState: Self.blueState)
    }

    @Test func theBlueInvoiceMustExist() {
        #expect(throws: LedgerError(.notFound, "invoices[2].related_invoice_number: invoice 46010624/0000000001 does not exist")) {
            try RedInvoiceRule.check(DomainFixtures.redInvoice(), at: "invoices[2]", blue: nil, blueState: nil)
        }
    }

    @Test func onlyABlueInvoiceCanBeReversed() {
        var red = DomainFixtures.redInvoice()
        red.invoiceNumber = "0000000003"
        red.relatedInvoiceNumber = "0000000002"
        let redState = InvoiceState(issuing: DomainFixtures.redInvoice(), by: DomainFixtures.platform)
        #expect(throws: LedgerError(.failedPrecondition,
                                    "invoice 46010624/0000000002 is ISSUED as a RED invoice reversing 46010624/0000000001; only a BLUE invoice can be reversed")) {
            try RedInvoiceRule.check(red, blue: DomainFixtures.redInvoice(), blueState: redState)
        }
        #expect(throws: LedgerError(.invalidArgument, "related_invoice_code: invoice 46010624/0000000001 is BLUE and reverses nothing")) {
            try RedInvoiceRule.check(Self.blue, blue: Self.blue, blueState: Self.blueState)
        }
    }

    @Test func sameIssuerAndKind() {
        var red = DomainFixtures.redInvoice()
        red.invoicingPartyCode = "H46010600002"
        #expect(throws: LedgerError(.invalidArgument,
                                    "invoicing_party_code: must be the blue invoice's issuer H46010600001, got 'H46010600002'")) {
            try RedInvoiceRule.check(red, blue: Self.blue, blueState: Self.blueState)
        }
        red = DomainFixtures.redInvoice()
        red.invoiceKind = .inpatient
        #expect(throws: LedgerError(.invalidArgument, "invoice_kind: must be the blue invoice's OUTPATIENT, got INPATIENT")) {
            try RedInvoiceRule.check(red, blue: Self.blue, blueState: Self.blueState)
        }
    }

    nonisolated(unsafe) static let amounts: [(String, WritableKeyPath<Invoice, Fen>, Fen)] = [
        ("total_amount", \.totalAmount, 10_000), ("fund_pay_amount", \.fundPayAmount, 6_000),
        ("account_pay_amount", \.accountPayAmount, 1_500), ("own_pay_amount", \.ownPayAmount, 2_500),
        ("self_pay_amount", \.selfPayAmount, 1_200), ("other_pay_amount", \.otherPayAmount, 0),
    ]

    @Test func everyAmountMustMirror() {
        for (field, path, blueAmount) in Self.amounts {
            var red = DomainFixtures.redInvoice()
            red[keyPath: path] -= 1
            let message = "\(field): must mirror blue invoice 46010624/0000000001's \(blueAmount) fen as \(-blueAmount) fen, got \(-blueAmount - 1) fen"
            #expect(throws: LedgerError(.invalidArgument, message)) {
                try RedInvoiceRule.check(red, blue: Self.blue, blueState: Self.blueState)
            }
        }
    }
}
