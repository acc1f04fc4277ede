import YibaoCrypto
import YibaoLedger

/// Payload of a settlement revocation (2208/2305 撤销, tag `settlementRevocation`): the settlement and the visit
/// and person it belongs to (both must match the uploaded settlement), when, and why. No PII.
public struct SettlementRevocation: Hashable, Sendable {
    public var setlId: String
    public var mdtrtId: String
    public var psnNo: String
    public var revokeTime: String
    public var reason: String

    public init(setlId: String, mdtrtId: String, psnNo: String, revokeTime: String, reason: String = "") {
        self.setlId = setlId
        self.mdtrtId = mdtrtId
        self.psnNo = psnNo
        self.revokeTime = revokeTime
        self.reason = reason
    }

    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        check.identifier("setl_id", setlId, maxBytes: DomainLimits.identifierBytes)
        check.identifier("mdtrt_id", mdtrtId, maxBytes: DomainLimits.identifierBytes)
        check.identifier("psn_no", psnNo, maxBytes: DomainLimits.identifierBytes)
        check.dateTime("revoke_time", revokeTime)
        check.text("reason", reason, maxBytes: DomainLimits.remarkBytes, required: false)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    public var encoded: [UInt8] {
        DomainPayload.encode(.settlementRevocation) { w in
            w.text(setlId)
            w.text(mdtrtId)
            w.text(psnNo)
            w.text(revokeTime)
            w.text(reason)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .settlementRevocation) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            SettlementRevocation(setlId: try r.text("setl_id"), mdtrtId: try r.text("mdtrt_id"), psnNo: try r.text("psn_no"),
                                 revokeTime: try r.text("revoke_time"), reason: try r.text("reason"))
        }
    }
}
