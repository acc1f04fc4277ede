import YibaoCrypto
import YibaoLedger

/// What an insurance bureau does to an invoice it reimburses: lock (锁定), unlock (解锁), record entry (入账),
/// revoke entry (入账撤销). The raw value is the wire byte.
public enum InvoiceAction: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case lock = 1
    case unlock = 2
    case recordEntry = 3
    case revokeEntry = 4

    public var description: String {
        switch self {
        case .lock: "lock"
        case .unlock: "unlock"
        case .recordEntry: "record entry"
        case .revokeEntry: "revoke entry"
        }
    }
}

/// Payload of a lock / unlock / entry / revoke-entry transaction (tag `invoiceStatusChange`):
/// action u8, invoice reference, operated_time (local, may be empty), remark. No PII.
public struct InvoiceStatusChange: Hashable, Sendable {
    public var action: InvoiceAction
    public var reference: InvoiceReference
    /// The bureau's own business time, `yyyy-MM-dd HH:mm:ss`, or empty: the ledger's commit time is authoritative.
    public var operatedTime: String
    public var remark: String

    public init(action: InvoiceAction, reference: InvoiceReference, operatedTime: String = "", remark: String = "") {
        self.action = action
        self.reference = reference
        self.operatedTime = operatedTime
        self.remark = remark
    }

    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        reference.check(&check)
        check.dateTime("operated_time", operatedTime, required: false)
        check.text("remark", remark, maxBytes: DomainLimits.remarkBytes, required: false)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    /// The lifecycle command this payload asks for.
    public var command: InvoiceCommand {
        switch action {
        case .lock: .lock(reference)
        case .unlock: .unlock(reference)
        case .recordEntry: .recordEntry(reference)
        case .revokeEntry: .revokeEntry(reference)
        }
    }

    public var encoded: [UInt8] {
        DomainPayload.encode(.invoiceStatusChange) { w in
            w.u8(action.rawValue)
            reference.write(&w)
            w.text(operatedTime)
            w.text(remark)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .invoiceStatusChange) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            InvoiceStatusChange(action: try r.enumeration("action", InvoiceAction.self), reference: try InvoiceReference.read(&r),
                                operatedTime: try r.text("operated_time"), remark: try r.text("remark"))
        }
    }
}
