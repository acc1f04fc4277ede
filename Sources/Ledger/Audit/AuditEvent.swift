import YibaoCrypto

/// One read or refusal the node must be able to account for (docs/requirements.md, Security: "reads of PII and reads under a grant are
/// themselves recorded"; docs/requirements.md, Parties: an auditor's every read is logged, a refused write leaves a trace in the audit log).
/// It names records by their keys and persons by their keyed person digest, never by PII itself.
///
///     u8 format (1)   u64 time, UTC ms   u8 reason
///     u8 length, org  u8 length, role     u8 length, action   u16 length, subject   u16 length, outcome
public struct AuditEvent: Sendable, Hashable {
    public enum Reason: UInt8, Sendable, CaseIterable {
        /// The answer holds personal data (certno, names, phone).
        case personalData = 1
        /// A channel read a record under a grant.
        case underGrant = 2
        /// An auditor or regulator read something; all of their reads are kept.
        case auditorRead = 3
        /// A write the permission matrix refused.
        case refusedWrite = 4
        /// A read the permission matrix refused.
        case refusedRead = 5
    }

    public static let format: UInt8 = 1
    public static let maxShortField = 255
    public static let maxLongField = 4096

    public var timeMs: UInt64
    public var reason: Reason
    public var org: String
    public var role: String
    /// The operation, e.g. `GetInvoice` or `/yibao.v1.InvoiceService/LockInvoice`.
    public var action: String
    /// What was read or refused: `invoice 46010621/0000000001`, `person <hex>`, `grant <hex>`.
    public var subject: String
    /// `ok`, or the status name and message of the refusal.
    public var outcome: String

    public init(timeMs: UInt64, reason: Reason, org: String, role: String, action: String, subject: String, outcome: String) {
        self.timeMs = timeMs
        self.reason = reason
        self.org = org
        self.role = role
        self.action = action
        self.subject = subject
        self.outcome = outcome
    }

    /// Fields cut (at a character boundary) to their limits: an event is evidence, so an over-long field is kept
    /// shortened rather than the event refused.
    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: 64 + subject.utf8.count + outcome.utf8.count)
        w.u8(Self.format)
        w.u64(timeMs)
        w.u8(reason.rawValue)
        for field in [org, role, action] { w.shortField(Self.clipped(field, to: Self.maxShortField)) }
        for field in [subject, outcome] {
            let bytes = Array(Self.clipped(field, to: Self.maxLongField).utf8)
            w.u16(UInt16(bytes.count))
            w.raw(bytes)
        }
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        var r = ByteReader(bytes)
        let format = try r.u8()
        guard format == Self.format else { throw FormatError("audit event format \(format) is not \(Self.format)") }
        timeMs = try r.u64()
        let reasonByte = try r.u8()
        guard let reason = Reason(rawValue: reasonByte) else { throw FormatError("audit reason \(reasonByte) is unknown") }
        self.reason = reason
        org = try r.shortField()
        role = try r.shortField()
        action = try r.shortField()
        subject = String(decoding: try r.raw(Int(try r.u16())), as: UTF8.self)
        outcome = String(decoding: try r.raw(Int(try r.u16())), as: UTF8.self)
        guard r.isAtEnd else { throw FormatError("\(r.remaining) trailing bytes after the audit event") }
    }

    static func clipped(_ field: String, to limit: Int) -> String {
        guard field.utf8.count > limit else { return field }
        var cut = ""
        for character in field {
            guard cut.utf8.count + character.utf8.count <= limit else { break }
            cut.append(character)
        }
        return cut
    }
}
