import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// Every stateless invoice rule: at least one failing case each, asserting the exact message with the caller's
/// path prefix.
@Suite struct InvoiceValidationTests {
    typealias Mutation = @Sendable (inout Invoice) -> Void

    static let blueCases: [(String, Mutation, String)] = [
        ("short code", { $0.invoiceCode = "1234" }, "invoice_code: must be 8 digits, got '1234'"),
        ("letter in code", { $0.invoiceCode = "4601062A" }, "invoice_code: must be 8 digits, got '4601062A'"),
        ("long number", { $0.invoiceNumber = "00000000011" }, "invoice_number: must be 10 digits, got '00000000011'"),
        ("check code symbol", { $0.checkCode = "12#456" }, "check_code: must be 6 letters or digits, got '12#456'"),
        ("check code short", { $0.checkCode = "12345" }, "check_code: must be 6 letters or digits, got '12345'"),
        ("issue time format", { $0.issueTime = "2024/03/01 10:20:30" },
         "issue_time: must be a time 'yyyy-MM-dd HH:mm:ss', got '2024/03/01 10:20:30'"),
        ("issue time not a day", { $0.issueTime = "2023-02-29 10:20:30" },
         "issue_time: must be a time 'yyyy-MM-dd HH:mm:ss', got '2023-02-29 10:20:30'"),
        ("issue time hour 24", { $0.issueTime = "2024-03-01 24:00:00" },
         "issue_time: must be a time 'yyyy-MM-dd HH:mm:ss', got '2024-03-01 24:00:00'"),
        ("issue time missing", { $0.issueTime = "" }, "issue_time: is required"),
        ("bus_no missing", { $0.busNo = "" }, "bus_no: is required"),
        ("bus_no space", { $0.busNo = "MZ 1" }, "bus_no: must be printable ASCII without spaces, got 'MZ 1'"),
        ("bus_no long", { $0.busNo = String(repeating: "9", count: 51) }, "bus_no: must be at most 50 characters, got 51"),
        ("setl_id long", { $0.setlId = String(repeating: "S", count: 31) }, "setl_id: must be at most 30 characters, got 31"),
        ("party code symbol", { $0.invoicingPartyCode = "H-1" },
         "invoicing_party_code: must be 1 to 30 ASCII letters or digits, got 'H-1'"),
        ("party code missing", { $0.invoicingPartyCode = "" }, "invoicing_party_code: is required"),
        ("party name missing", { $0.invoicingPartyName = "" }, "invoicing_party_name: is required"),
        ("party name long", { $0.invoicingPartyName = String(repeating: "医", count: 67) },
         "invoicing_party_name: must be at most 200 bytes, got 201"),
        ("party name control", { $0.invoicingPartyName = "医院\u{7}" }, "invoicing_party_name: must not contain control characters"),
        ("party name padded", { $0.invoicingPartyName = " 医院" }, "invoicing_party_name: must not begin or end with whitespace"),
        ("party name NFD", { $0.invoicingPartyName = "Cafe\u{301}" }, "invoicing_party_name: must be in Unicode normalization form C"),
        ("party name compatibility ideograph", { $0.invoicingPartyName = "\u{F900}医院" },
         "invoicing_party_name: must be in Unicode normalization form C"),
        ("party name ideographic space", { $0.invoicingPartyName = "医院\u{3000}" }, "invoicing_party_name: must not begin or end with whitespace"),
        ("payer name tone mark", { $0.payerName = "张\u{302B}\u{302A}" }, "payer_name: must be in Unicode normalization form C"),
        ("payer code long", { $0.payerCode = String(repeating: "1", count: 51) }, "payer_code: must be at most 50 bytes, got 51"),
        ("payer name missing", { $0.payerName = "" }, "payer_name: is required"),
        ("payer name padded", { $0.payerName = "张三 " }, "payer_name: must not begin or end with whitespace"),
        ("payer phone letters", { $0.payerPhone = "138-abc" }, "payer_phone: must be 1 to 20 digits, '+' or '-'"),
        ("payer phone long", { $0.payerPhone = String(repeating: "1", count: 21) }, "payer_phone: must be 1 to 20 digits, '+' or '-'"),
        ("insurance type long", { $0.medicalInsuranceType = String(repeating: "保", count: 21) },
         "medical_insurance_type: must be at most 60 bytes, got 63"),
        ("insurance id space", { $0.medicalInsuranceId = "46 01" },
         "medical_insurance_id: must be printable ASCII without spaces, got '46 01'"),
        ("medical date missing", { $0.medicalDate = "" }, "medical_date: is required"),
        ("medical date bad", { $0.medicalDate = "2024-02-30" },
         "medical_date: must be a date 'yyyy-MM-dd' or a time 'yyyy-MM-dd HH:mm:ss', got '2024-02-30'"),
        ("negative total", { $0.totalAmount = -1 }, "total_amount: must not be negative on a blue invoice, got -1 fen"),
        ("negative fund", { $0.fundPayAmount = -6_000 }, "fund_pay_amount: must not be negative on a blue invoice, got -6000 fen"),
        ("negative account", { $0.accountPayAmount = -1 }, "account_pay_amount: must not be negative on a blue invoice, got -1 fen"),
        ("negative own", { $0.ownPayAmount = -1 }, "own_pay_amount: must not be negative on a blue invoice, got -1 fen"),
        ("negative self", { $0.selfPayAmount = -1 }, "self_pay_amount: must not be negative on a blue invoice, got -1 fen"),
        ("negative other", { $0.otherPayAmount = -1 }, "other_pay_amount: must not be negative on a blue invoice, got -1 fen"),
        ("amount out of range", { $0.totalAmount = 10_000_000_000_000_000 },
         "total_amount: must be within ±9999999999999999 fen, got 10000000000000000 fen"),
        ("channels do not sum", { $0.otherPayAmount = 100 },
         "total_amount: must equal fund_pay_amount + other_pay_amount + account_pay_amount + own_pay_amount = 6000 + 100 + 1500 + 2500 = 10100 fen, got 10000 fen"),
        ("self pay over personal share", { $0.selfPayAmount = 4_001 },
         "self_pay_amount: must not exceed the personal share account_pay_amount + own_pay_amount = 1500 + 2500 = 4000 fen, got 4001 fen"),
        ("too many items", { $0.items = Array(repeating: InvoiceItem(code: "A", name: "药", quantity: ItemQuantity(whole: 1), amount: 0), count: 501) },
         "items: must hold at most 500 items, got 501"),
        ("item code missing", { $0.items[1].code = "" }, "items[1].code: is required"),
        ("item name long", { $0.items[0].name = String(repeating: "x", count: 201) }, "items[0].name: must be at most 200 bytes, got 201"),
        ("item quantity negative", { $0.items[0].quantity = ItemQuantity(tenThousandths: -5_000) },
         "items[0].quantity: must not be negative on a blue invoice, got -0.5"),
        ("item quantity huge", { $0.items[0].quantity = ItemQuantity(tenThousandths: Int64.max) },
         "items[0].quantity: must be within ±100000000000, got 922337203685477.5807"),
        ("item amount negative", { $0.items[1].amount = -3_000 }, "items[1].amount: must not be negative on a blue invoice, got -3000 fen"),
        ("items do not sum", { $0.items[1].amount = 2_999 }, "items: amounts must sum to total_amount 10000 fen, got 9999 fen"),
        ("related code on blue", { $0.relatedInvoiceCode = "46010624" }, "related_invoice_code: must be empty on a blue invoice"),
        ("related number on blue", { $0.relatedInvoiceNumber = "0000000009" }, "related_invoice_number: must be empty on a blue invoice"),
        ("raw document too big", { $0.rawDocument = [UInt8](repeating: 0x3c, count: (256 << 10) + 1) },
         "raw_document: must be at most 262144 bytes, got 262145"),
    ]

    @Test func theFixturesAreValid() throws {
        #expect(DomainFixtures.blueInvoice().problems().isEmpty)
        #expect(DomainFixtures.redInvoice().problems().isEmpty)
        try DomainFixtures.blueInvoice().validate(at: "invoices[0]")
    }

    @Test func everyBlueRuleNamesItsFieldAndRule() {
        for (name, mutate, message) in Self.blueCases {
            var invoice = DomainFixtures.blueInvoice()
            mutate(&invoice)
            #expect(invoice.problems(at: "invoices[3]") == [LedgerError(.invalidArgument, "invoices[3].\(message)")], "\(name)")
            #expect(throws: LedgerError(.invalidArgument, "invoices[3].\(message)"), "\(name)") {
                try invoice.validate(at: "invoices[3]")
            }
        }
    }

    @Test func withoutPrefixTheFieldComesFirst() {
        var invoice = DomainFixtures.blueInvoice()
        invoice.invoiceCode = "1234"
        #expect(invoice.problems() == [LedgerError(.invalidArgument, "invoice_code: must be 8 digits, got '1234'")])
    }

    @Test func everyProblemIsReportedInFieldOrder() {
        var invoice = DomainFixtures.blueInvoice()
        invoice.invoiceCode = "1"
        invoice.payerName = ""
        invoice.items[0].code = ""
        #expect(invoice.problems(at: "x").map(\.message) == [
            "x.invoice_code: must be 8 digits, got '1'", "x.payer_name: is required", "x.items[0].code: is required",
        ])
    }

    @Test func quotedValuesAreCutAndSanitized() {
        var invoice = DomainFixtures.blueInvoice()
        invoice.invoiceCode = "\u{1}" + String(repeating: "9", count: 60)
        #expect(invoice.problems().first?.message == "invoice_code: must be 8 digits, got '?\(String(repeating: "9", count: 39))…'")
    }

    @Test func pIIIsNeverQuoted() {
        var invoice = DomainFixtures.blueInvoice()
        invoice.payerCode = "秘密" + String(repeating: "1", count: 60)
        invoice.payerPhone = "秘密"
        for problem in invoice.problems() { #expect(!problem.message.contains("秘密")) }
    }

    @Test func aFullDateTimeIsAMedicalDateToo() {
        var invoice = DomainFixtures.blueInvoice()
        invoice.medicalDate = "2024-03-01 09:00:00"
        #expect(invoice.problems().isEmpty)
    }

    static let redCases: [(String, Mutation, String)] = [
        ("positive total", { $0.totalAmount = 1 }, "total_amount: must not be positive on a red invoice, got 1 fen"),
        ("positive item", { $0.items[0].amount = 7_000 }, "items[0].amount: must not be positive on a red invoice, got 7000 fen"),
        ("positive quantity", { $0.items[0].quantity = ItemQuantity(whole: 2) },
         "items[0].quantity: must not be positive on a red invoice, got 2"),
        ("self pay beyond share", { $0.selfPayAmount = -4_001 },
         "self_pay_amount: must not exceed the personal share account_pay_amount + own_pay_amount = -1500 + -2500 = -4000 fen, got -4001 fen"),
        ("related code missing", { $0.relatedInvoiceCode = "" }, "related_invoice_code: must be 8 digits, got ''"),
        ("related number bad", { $0.relatedInvoiceNumber = "12" }, "related_invoice_number: must be 10 digits, got '12'"),
        ("reverses itself", { $0.relatedInvoiceNumber = $0.invoiceNumber },
         "related_invoice_number: a red invoice cannot reverse itself (46010624/0000000002)"),
    ]

    @Test func everyRedRuleNamesItsFieldAndRule() {
        for (name, mutate, message) in Self.redCases {
            var invoice = DomainFixtures.redInvoice()
            mutate(&invoice)
            #expect(invoice.problems(at: "invoices[1]") == [LedgerError(.invalidArgument, "invoices[1].\(message)")], "\(name)")
        }
    }
}
