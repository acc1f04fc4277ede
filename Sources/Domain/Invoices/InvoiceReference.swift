import YibaoCrypto

/// How every operation after issue names an invoice: its key plus the check code (校验码) printed on it,
/// which proves the caller holds the invoice and must match the issued one.
public struct InvoiceReference: Hashable, Sendable {
    public var invoiceCode: String
    public var invoiceNumber: String
    public var checkCode: String

    public init(invoiceCode: String, invoiceNumber: String, checkCode: String) {
        self.invoiceCode = invoiceCode
        self.invoiceNumber = invoiceNumber
        self.checkCode = checkCode
    }

    public init(_ invoice: Invoice) {
        self.init(invoiceCode: invoice.invoiceCode, invoiceNumber: invoice.invoiceNumber, checkCode: invoice.checkCode)
    }

    public var key: InvoiceKey { InvoiceKey(invoiceCode: invoiceCode, invoiceNumber: invoiceNumber) }

    func check(_ check: inout FieldChecker) {
        check.digits("invoice_code", invoiceCode, count: DomainLimits.invoiceCodeDigits)
        check.digits("invoice_number", invoiceNumber, count: DomainLimits.invoiceNumberDigits)
        check.alphanumerics("check_code", checkCode, count: DomainLimits.checkCodeLength)
    }

    func write(_ w: inout ByteWriter) {
        w.text(invoiceCode)
        w.text(invoiceNumber)
        w.text(checkCode)
    }

    static func read(_ r: inout ByteReader) throws(FormatError) -> InvoiceReference {
        InvoiceReference(invoiceCode: try r.text("invoice_code"), invoiceNumber: try r.text("invoice_number"),
                         checkCode: try r.text("check_code"))
    }
}
