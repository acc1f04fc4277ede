import YibaoCrypto
import YibaoLedger

/// Payload of 渠道授权登记 (tag `grantUsage`): a channel records that it read `invoice` under its grant at
/// `read_time_ms` (UTC ms). No PII: the grant id stands for the person.
public struct GrantUsage: Hashable, Sendable {
    public var grantId: Digest32
    public var invoice: InvoiceKey
    public var readTimeMs: UInt64
    public var purpose: String

    public init(grantId: Digest32, invoice: InvoiceKey, readTimeMs: UInt64, purpose: String = "") {
        self.grantId = grantId
        self.invoice = invoice
        self.readTimeMs = readTimeMs
        self.purpose = purpose
    }

    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        check.digits("invoice_code", invoice.invoiceCode, count: DomainLimits.invoiceCodeDigits)
        check.digits("invoice_number", invoice.invoiceNumber, count: DomainLimits.invoiceNumberDigits)
        check.text("purpose", purpose, maxBytes: DomainLimits.remarkBytes, required: false)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    public var encoded: [UInt8] {
        DomainPayload.encode(.grantUsage) { w in
            w.digest(grantId)
            w.text(invoice.invoiceCode)
            w.text(invoice.invoiceNumber)
            w.u64(readTimeMs)
            w.text(purpose)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .grantUsage) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            GrantUsage(grantId: try r.digest(),
                       invoice: InvoiceKey(invoiceCode: try r.text("invoice_code"), invoiceNumber: try r.text("invoice_number")),
                       readTimeMs: try r.u64(), purpose: try r.text("purpose"))
        }
    }
}
