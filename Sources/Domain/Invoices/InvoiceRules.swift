import YibaoLedger
/// The stateless rules of an invoice (docs/requirements.md, Invoices).
///
/// Pay channels: a Chinese medical e-invoice prints 医保统筹基金支付, 其他支付, 个人账户支付, 个人现金支付 and 个人自付.
/// The first four are where the money came from and add up to the total:
/// `total_amount = fund_pay_amount + other_pay_amount + account_pay_amount + own_pay_amount`.
/// 个人自付 (`self_pay_amount`) is not a fifth channel: it says how much of the personal share (account + cash)
/// was the person's co-payment inside the policy scope, so it may not exceed `account_pay_amount + own_pay_amount`.
/// Counting it as a channel would double-count the personal share.
extension Invoice {
    /// Every rule the invoice breaks, in field order; `prefix` is the caller's path (`invoices[3]`).
    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        checkIdentity(&check)
        checkParties(&check)
        checkAmounts(&check)
        checkItems(&check)
        checkRelatedInvoice(&check)
        if rawDocument.count > DomainLimits.rawDocumentBytes {
            check.fail("raw_document", "must be at most \(DomainLimits.rawDocumentBytes) bytes, got \(rawDocument.count)")
        }
        return check.problems
    }

    /// Throws the first problem (`invalidArgument`), if any.
    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    /// `amount` must be ≥ 0 on a blue invoice and ≤ 0 on a red one.
    var amountSign: FieldChecker.Sign { colour == .blue ? .nonNegative : .nonPositive }
    private var signContext: String { colour == .blue ? " on a blue invoice" : " on a red invoice" }

    private func checkIdentity(_ check: inout FieldChecker) {
        check.digits("invoice_code", invoiceCode, count: DomainLimits.invoiceCodeDigits)
        check.digits("invoice_number", invoiceNumber, count: DomainLimits.invoiceNumberDigits)
        check.alphanumerics("check_code", checkCode, count: DomainLimits.checkCodeLength)
        check.dateTime("issue_time", issueTime)
        check.identifier("bus_no", busNo, maxBytes: DomainLimits.busNoBytes)
        check.identifier("setl_id", setlId, maxBytes: DomainLimits.identifierBytes, required: false)
    }

    private func checkParties(_ check: inout FieldChecker) {
        check.code("invoicing_party_code", invoicingPartyCode, maxBytes: DomainLimits.orgCodeBytes)
        check.text("invoicing_party_name", invoicingPartyName, maxBytes: DomainLimits.orgNameBytes)
        check.text("payer_code", payerCode, maxBytes: DomainLimits.payerCodeBytes, required: false)
        check.text("payer_name", payerName, maxBytes: DomainLimits.payerNameBytes)
        if !payerPhone.isEmpty {
            let allowed = payerPhone.utf8.allSatisfy { FieldChecker.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
            if payerPhone.utf8.count > DomainLimits.payerPhoneBytes || !allowed {
                check.fail("payer_phone", "must be 1 to \(DomainLimits.payerPhoneBytes) digits, '+' or '-'")
            }
        }
        check.text("medical_insurance_type", medicalInsuranceType, maxBytes: DomainLimits.medicalInsuranceTypeBytes,
                   required: false)
        check.identifier("medical_insurance_id", medicalInsuranceId, maxBytes: DomainLimits.identifierBytes, required: false)
        if medicalDate.isEmpty {
            check.fail("medical_date", "is required")
        } else if !BusinessTime.isDate(medicalDate) && !BusinessTime.isDateTime(medicalDate) {
            check.fail("medical_date", "must be a date '\(BusinessTime.dateFormat)' or a time '\(BusinessTime.format)', got \(FieldChecker.quoted(medicalDate))")
        }
    }

    private func checkAmounts(_ check: inout FieldChecker) {
        let amounts: [(String, Fen)] = [("total_amount", totalAmount), ("fund_pay_amount", fundPayAmount),
                                        ("account_pay_amount", accountPayAmount), ("own_pay_amount", ownPayAmount),
                                        ("self_pay_amount", selfPayAmount), ("other_pay_amount", otherPayAmount)]
        var allValid = true
        for (field, value) in amounts where !check.amount(field, value, amountSign, context: signContext) { allValid = false }
        guard allValid else { return }  // sums of out-of-range amounts would say nothing useful

        let channels: [(String, Fen)] = [("fund_pay_amount", fundPayAmount), ("other_pay_amount", otherPayAmount),
                                         ("account_pay_amount", accountPayAmount), ("own_pay_amount", ownPayAmount)]
        let channelSum = channels.reduce(0) { $0 + $1.1 }
        if channelSum != totalAmount {
            check.fail("total_amount", "must equal \(SumExplanation(channels)) fen, got \(totalAmount) fen")
        }
        let personalShare = accountPayAmount + ownPayAmount
        let exceeds = colour == .blue ? selfPayAmount > personalShare : selfPayAmount < personalShare
        if exceeds {
            check.fail("self_pay_amount", "must not exceed the personal share account_pay_amount + own_pay_amount = \(accountPayAmount) + \(ownPayAmount) = \(personalShare) fen, got \(selfPayAmount) fen")
        }
    }

    private func checkItems(_ check: inout FieldChecker) {
        guard items.count <= DomainLimits.maxItems else {
            return check.fail("items", "must hold at most \(DomainLimits.maxItems) items, got \(items.count)")
        }
        var allValid = true
        var sum: Fen = 0
        for (position, item) in items.enumerated() {
            let before = check.problems.count
            check.nested("items", index: position) { itemCheck in
                itemCheck.text("code", item.code, maxBytes: DomainLimits.itemCodeBytes)
                itemCheck.text("name", item.name, maxBytes: DomainLimits.itemNameBytes)
                let quantity = item.quantity.tenThousandths
                if quantity.magnitude > ItemQuantity.maxTenThousandths.magnitude {
                    itemCheck.fail("quantity", "must be within ±\(ItemQuantity(tenThousandths: ItemQuantity.maxTenThousandths)), got \(item.quantity)")
                } else if colour == .blue ? quantity < 0 : quantity > 0 {
                    itemCheck.fail("quantity", "\(amountSign.rule)\(signContext), got \(item.quantity)")
                }
                itemCheck.amount("amount", item.amount, amountSign, context: signContext)
            }
            if check.problems.count != before { allValid = false } else { sum += item.amount }
        }
        // Compared only against a total that passed its own rules: a bad total is already reported.
        let totalValid = totalAmount.magnitude <= FenLimits.maxMagnitude.magnitude
            && (colour == .blue ? totalAmount >= 0 : totalAmount <= 0)
        if allValid, totalValid, !items.isEmpty, sum != totalAmount {
            check.fail("items", "amounts must sum to total_amount \(totalAmount) fen, got \(sum) fen")
        }
    }

    private func checkRelatedInvoice(_ check: inout FieldChecker) {
        switch colour {
        case .blue:
            if !relatedInvoiceCode.isEmpty { check.fail("related_invoice_code", "must be empty on a blue invoice") }
            if !relatedInvoiceNumber.isEmpty { check.fail("related_invoice_number", "must be empty on a blue invoice") }
        case .red:
            check.digits("related_invoice_code", relatedInvoiceCode, count: DomainLimits.invoiceCodeDigits)
            check.digits("related_invoice_number", relatedInvoiceNumber, count: DomainLimits.invoiceNumberDigits)
            if relatedKey == key {
                check.fail("related_invoice_number", "a red invoice cannot reverse itself (\(key))")
            }
        }
    }
}

/// `a + b + c = 1 + 2 + 3 = 6`: a sum rule's terms with their actual values, for refusal messages.
struct SumExplanation: CustomStringConvertible {
    let terms: [(String, Fen)]

    init(_ terms: [(String, Fen)]) { self.terms = terms }

    var total: Fen { terms.reduce(0) { $0 + $1.1 } }

    var description: String {
        "\(terms.map(\.0).joined(separator: " + ")) = \(terms.map { String($0.1) }.joined(separator: " + ")) = \(total)"
    }
}

extension ItemQuantity {
    /// |quantity| ≤ 10^11 units: far beyond any real charge, far from Int64 overflow.
    public static let maxTenThousandths: Int64 = 1_000_000_000_000_000
}
