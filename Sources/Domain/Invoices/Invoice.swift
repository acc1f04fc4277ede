/// A medical e-invoice (医疗收费电子票据) with the Ministry of Finance data elements of docs/requirements.md, Invoices.
/// Properties mirror the snake_case field names; validation messages use the snake_case names.
/// PII (`payer_code`, `payer_name`, `payer_phone`, and `raw_document`, which repeats them) travels in the
/// encoding's sealable trailing section (see `DomainPayload`).
public struct Invoice: Hashable, Sendable {
    public var invoiceCode: String
    public var invoiceNumber: String
    public var checkCode: String
    public var colour: InvoiceColour
    public var invoiceKind: InvoiceKind
    /// 开票时间, local Asia/Shanghai `yyyy-MM-dd HH:mm:ss` as the issuer gave it.
    public var issueTime: String
    /// The hospital: its `fixmedins_code` and name.
    public var invoicingPartyCode: String
    public var invoicingPartyName: String
    public var payerType: PayerType
    public var payerCode: String
    public var payerName: String
    public var payerPhone: String
    /// The issuer's own id for the charge; the issuer's idempotency key.
    public var busNo: String
    public var totalAmount: Fen
    /// Payment channels: fund + other + account + own (cash) = total. `self_pay_amount` is not a channel but the
    /// part of the personal share (account + own) inside the policy scope; see `InvoiceRules`.
    public var fundPayAmount: Fen
    public var accountPayAmount: Fen
    public var ownPayAmount: Fen
    public var selfPayAmount: Fen
    public var otherPayAmount: Fen
    public var medicalInsuranceType: String
    /// The insured person's `psn_no`.
    public var medicalInsuranceId: String
    /// 就诊日期: `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`.
    public var medicalDate: String
    /// Bosssoft `balancedNumber`: the settlement this invoice pays for; empty when there is none (yet).
    public var setlId: String
    public var items: [InvoiceItem]
    /// Only on a RED invoice: the BLUE invoice it reverses. Empty on a blue one.
    public var relatedInvoiceCode: String
    public var relatedInvoiceNumber: String
    /// The original XML or layout file; empty when not supplied. It repeats the payer's data, so it is PII.
    public var rawDocument: [UInt8]

    public init(invoiceCode: String, invoiceNumber: String, checkCode: String, colour: InvoiceColour = .blue,
                invoiceKind: InvoiceKind, issueTime: String, invoicingPartyCode: String, invoicingPartyName: String,
                payerType: PayerType, payerCode: String = "", payerName: String, payerPhone: String = "",
                busNo: String, totalAmount: Fen, fundPayAmount: Fen = 0, accountPayAmount: Fen = 0,
                ownPayAmount: Fen = 0, selfPayAmount: Fen = 0, otherPayAmount: Fen = 0,
                medicalInsuranceType: String = "", medicalInsuranceId: String = "", medicalDate: String,
                setlId: String = "", items: [InvoiceItem] = [], relatedInvoiceCode: String = "",
                relatedInvoiceNumber: String = "", rawDocument: [UInt8] = []) {
        self.invoiceCode = invoiceCode
        self.invoiceNumber = invoiceNumber
        self.checkCode = checkCode
        self.colour = colour
        self.invoiceKind = invoiceKind
        self.issueTime = issueTime
        self.invoicingPartyCode = invoicingPartyCode
        self.invoicingPartyName = invoicingPartyName
        self.payerType = payerType
        self.payerCode = payerCode
        self.payerName = payerName
        self.payerPhone = payerPhone
        self.busNo = busNo
        self.totalAmount = totalAmount
        self.fundPayAmount = fundPayAmount
        self.accountPayAmount = accountPayAmount
        self.ownPayAmount = ownPayAmount
        self.selfPayAmount = selfPayAmount
        self.otherPayAmount = otherPayAmount
        self.medicalInsuranceType = medicalInsuranceType
        self.medicalInsuranceId = medicalInsuranceId
        self.medicalDate = medicalDate
        self.setlId = setlId
        self.items = items
        self.relatedInvoiceCode = relatedInvoiceCode
        self.relatedInvoiceNumber = relatedInvoiceNumber
        self.rawDocument = rawDocument
    }

    public var key: InvoiceKey { InvoiceKey(invoiceCode: invoiceCode, invoiceNumber: invoiceNumber) }

    /// The blue invoice a red one reverses; nil on a blue invoice.
    public var relatedKey: InvoiceKey? {
        guard colour == .red else { return nil }
        return InvoiceKey(invoiceCode: relatedInvoiceCode, invoiceNumber: relatedInvoiceNumber)
    }
}
