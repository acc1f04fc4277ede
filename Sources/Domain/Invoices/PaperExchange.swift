import YibaoCrypto
import YibaoLedger

/// Payload of a paper exchange (换开纸质票据, tag `paperExchange`): the e-invoice reference, when it happened, and
/// the paper invoice's own code and number (empty if the platform does not report them). No PII.
public struct PaperExchange: Hashable, Sendable {
    public var reference: InvoiceReference
    public var exchangeTime: String
    public var paperInvoiceCode: String
    public var paperInvoiceNumber: String

    public init(reference: InvoiceReference, exchangeTime: String, paperInvoiceCode: String = "", paperInvoiceNumber: String = "") {
        self.reference = reference
        self.exchangeTime = exchangeTime
        self.paperInvoiceCode = paperInvoiceCode
        self.paperInvoiceNumber = paperInvoiceNumber
    }

    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        reference.check(&check)
        check.dateTime("exchange_time", exchangeTime)
        check.identifier("paper_invoice_code", paperInvoiceCode, maxBytes: DomainLimits.identifierBytes, required: false)
        check.identifier("paper_invoice_number", paperInvoiceNumber, maxBytes: DomainLimits.identifierBytes, required: false)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    public var command: InvoiceCommand { .exchangePaper(reference) }

    public var encoded: [UInt8] {
        DomainPayload.encode(.paperExchange) { w in
            reference.write(&w)
            w.text(exchangeTime)
            w.text(paperInvoiceCode)
            w.text(paperInvoiceNumber)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .paperExchange) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            PaperExchange(reference: try InvoiceReference.read(&r), exchangeTime: try r.text("exchange_time"),
                          paperInvoiceCode: try r.text("paper_invoice_code"),
                          paperInvoiceNumber: try r.text("paper_invoice_number"))
        }
    }
}
