import YibaoCrypto
import YibaoLedger

/// Payload of an explicit invoice ↔ settlement link (票据关联结算信息, tag `invoiceSettlementLink`), for invoices
/// that did not carry `setl_id` when issued. No PII.
public struct InvoiceSettlementLink: Hashable, Sendable {
    public var reference: InvoiceReference
    public var setlId: String

    public init(reference: InvoiceReference, setlId: String) {
        self.reference = reference
        self.setlId = setlId
    }

    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        reference.check(&check)
        check.identifier("setl_id", setlId, maxBytes: DomainLimits.identifierBytes)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    public var command: InvoiceCommand { .linkSettlement(reference, setlId: setlId) }

    public var encoded: [UInt8] {
        DomainPayload.encode(.invoiceSettlementLink) { w in
            reference.write(&w)
            w.text(setlId)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .invoiceSettlementLink) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            InvoiceSettlementLink(reference: try InvoiceReference.read(&r), setlId: try r.text("setl_id"))
        }
    }
}
