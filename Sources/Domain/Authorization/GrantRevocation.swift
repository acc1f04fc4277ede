import YibaoCrypto
import YibaoLedger

/// Payload of 授权撤销 (tag `grantRevocation`): the person, through an operator org, ends a grant. The person's
/// `certno` (PII) must be the one the grant was given with: it is how the operator shows it acts for that person.
public struct GrantRevocation: Hashable, Sendable {
    public var grantId: Digest32
    public var certno: String
    public var reason: String

    public init(grantId: Digest32, certno: String, reason: String = "") {
        self.grantId = grantId
        self.certno = certno
        self.reason = reason
    }

    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        check.text("certno", certno, maxBytes: DomainLimits.certnoBytes)
        check.text("reason", reason, maxBytes: DomainLimits.remarkBytes, required: false)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    public var encoded: [UInt8] {
        DomainPayload.encode(.grantRevocation, public: { w in
            w.digest(grantId)
            w.text(reason)
        }, pii: { w in
            w.text(certno)
        })
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .grantRevocation) { (r: inout ByteReader, pii: inout ByteReader) throws(FormatError) in
            let grantId = try r.digest()
            let reason = try r.text("reason")
            return GrantRevocation(grantId: grantId, certno: try pii.text("certno"), reason: reason)
        }
    }
}
