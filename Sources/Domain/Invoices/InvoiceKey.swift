/// The key of an invoice: 票据代码 (8 digits: region + type + year) and 票据号码 (10 digits).
public struct InvoiceKey: Hashable, Sendable, CustomStringConvertible {
    public var invoiceCode: String
    public var invoiceNumber: String

    public init(invoiceCode: String, invoiceNumber: String) {
        self.invoiceCode = invoiceCode
        self.invoiceNumber = invoiceNumber
    }

    /// `12345678/0000000001`, the form every message uses.
    public var description: String { "\(invoiceCode)/\(invoiceNumber)" }
}
