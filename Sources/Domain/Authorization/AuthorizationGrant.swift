import YibaoCrypto
import YibaoLedger

/// Payload of 票据授权上链 (tag `authorizationGrant`): a person, through the operator org that submits it, lets a
/// channel read named invoices (each with its check code, which proves the person holds it) or all invoices of
/// the person's digital account, while the read time lies in `[valid_from_ms, valid_until_ms]` (UTC ms).
/// The person's `certno` is PII; the ledger state keeps only its keyed hash.
public struct AuthorizationGrant: Hashable, Sendable {
    /// The longest period one grant may cover: a year (366 days); a longer relation is a new grant.
    public static let maxPeriodMs: UInt64 = 366 * 24 * 3_600_000
    public static let maxNamedInvoices = 50

    public var certno: String
    public var channel: String
    public var scope: GrantScope
    /// Empty for `allInvoices`.
    public var invoices: [InvoiceReference]
    public var validFromMs: UInt64
    public var validUntilMs: UInt64
    public var purpose: String

    public init(certno: String, channel: String, scope: GrantScope, invoices: [InvoiceReference] = [],
                validFromMs: UInt64, validUntilMs: UInt64, purpose: String = "") {
        self.certno = certno
        self.channel = channel
        self.scope = scope
        self.invoices = invoices
        self.validFromMs = validFromMs
        self.validUntilMs = validUntilMs
        self.purpose = purpose
    }

    public func problems(at prefix: String = "") -> [LedgerError] {
        var check = FieldChecker(prefix: prefix)
        check.text("certno", certno, maxBytes: DomainLimits.certnoBytes)
        check.code("channel", channel, maxBytes: DomainLimits.orgCodeBytes)
        switch scope {
        case .namedInvoices:
            if invoices.isEmpty || invoices.count > Self.maxNamedInvoices {
                check.fail("invoices", "must name 1 to \(Self.maxNamedInvoices) invoices for scope \(scope), got \(invoices.count)")
            }
        case .allInvoices:
            if !invoices.isEmpty { check.fail("invoices", "must be empty for scope \(scope), got \(invoices.count)") }
        }
        var seen = Set<InvoiceKey>()
        for (i, reference) in invoices.prefix(Self.maxNamedInvoices).enumerated() {
            check.nested("invoices", index: i) { reference.check(&$0) }
            if !seen.insert(reference.key).inserted { check.fail("invoices[\(i)]", "names invoice \(reference.key) twice") }
        }
        if validUntilMs <= validFromMs {
            check.fail("valid_until_ms", "must be after valid_from_ms \(validFromMs), got \(validUntilMs)")
        } else if validUntilMs - validFromMs > Self.maxPeriodMs {
            check.fail("valid_until_ms", "the period must be at most \(Self.maxPeriodMs) ms, got \(validUntilMs - validFromMs)")
        }
        check.text("purpose", purpose, maxBytes: DomainLimits.remarkBytes, required: false)
        return check.problems
    }

    public func validate(at prefix: String = "") throws(LedgerError) {
        if let first = problems(at: prefix).first { throw first }
    }

    public var encoded: [UInt8] {
        DomainPayload.encode(.authorizationGrant, public: { w in
            w.text(channel)
            w.u8(scope.rawValue)
            w.count(invoices.count)
            for reference in invoices { reference.write(&w) }
            w.u64(validFromMs)
            w.u64(validUntilMs)
            w.text(purpose)
        }, pii: { w in
            w.text(certno)
        })
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .authorizationGrant) { (r: inout ByteReader, pii: inout ByteReader) throws(FormatError) in
            let channel = try r.text("channel")
            let scope = try r.enumeration("scope", GrantScope.self)
            let count = try r.count("invoices", limit: Self.maxNamedInvoices, minimumBytes: 12)
            var invoices: [InvoiceReference] = []
            for _ in 0..<count { invoices.append(try InvoiceReference.read(&r)) }
            let validFromMs = try r.u64()
            let validUntilMs = try r.u64()
            let purpose = try r.text("purpose")
            return AuthorizationGrant(certno: try pii.text("certno"), channel: channel, scope: scope, invoices: invoices,
                                      validFromMs: validFromMs, validUntilMs: validUntilMs, purpose: purpose)
        }
    }
}
