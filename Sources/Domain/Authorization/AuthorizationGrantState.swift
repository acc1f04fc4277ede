import YibaoCrypto

/// A grant as the ledger holds it. Its id is the transaction hash of the entry that gave it: unique (every
/// entry is) and reproduced by replay.
public struct AuthorizationGrantState: Hashable, Sendable {
    public enum Status: UInt8, Sendable, CustomStringConvertible {
        case live = 1
        case revoked = 2

        public var description: String { self == .live ? "LIVE" : "REVOKED" }
    }

    public var id: Digest32
    public var grantIndex: UInt64
    public var grantedTimeMs: UInt64
    public var person: PersonKey
    /// The org that submitted the grant for the person.
    public var operatorOrg: String
    public var channel: String
    public var scope: GrantScope
    /// The named invoices (empty for `allInvoices`).
    public var invoices: [InvoiceKey]
    public var validFromMs: UInt64
    public var validUntilMs: UInt64
    public var status: Status
    public var revokedIndex: UInt64?
    public var revokingOrg: String?
    /// Usage records (渠道授权登记) under the grant.
    public var usages: UInt32

    public init(id: Digest32, grantIndex: UInt64, grantedTimeMs: UInt64, person: PersonKey, operatorOrg: String,
                channel: String, scope: GrantScope, invoices: [InvoiceKey], validFromMs: UInt64, validUntilMs: UInt64,
                status: Status, revokedIndex: UInt64?, revokingOrg: String?, usages: UInt32) {
        self.id = id
        self.grantIndex = grantIndex
        self.grantedTimeMs = grantedTimeMs
        self.person = person
        self.operatorOrg = operatorOrg
        self.channel = channel
        self.scope = scope
        self.invoices = invoices
        self.validFromMs = validFromMs
        self.validUntilMs = validUntilMs
        self.status = status
        self.revokedIndex = revokedIndex
        self.revokingOrg = revokingOrg
        self.usages = usages
    }

    /// Live, and `timeMs` inside `[validFromMs, validUntilMs]`.
    public func isLive(at timeMs: UInt64) -> Bool { status == .live && validFromMs <= timeMs && timeMs <= validUntilMs }

    /// Whether the grant opens `invoice`, which belongs to `owner` (nil: to no known person).
    public func covers(_ invoice: InvoiceKey, ownedBy owner: PersonKey?) -> Bool {
        guard owner == person else { return false }
        return scope == .allInvoices || invoices.contains(invoice)
    }

    public var summary: String {
        revokedIndex.map { "\(status) at index \($0) by org \(revokingOrg ?? "?")" } ?? "\(status)"
    }

    public var encoded: [UInt8] {
        DomainPayload.encode(.grantState) { w in
            w.digest(id)
            w.u64(grantIndex)
            w.u64(grantedTimeMs)
            w.digest(person.digest)
            w.text(operatorOrg)
            w.text(channel)
            w.u8(scope.rawValue)
            w.count(invoices.count)
            for key in invoices {
                w.text(key.invoiceCode)
                w.text(key.invoiceNumber)
            }
            w.u64(validFromMs)
            w.u64(validUntilMs)
            w.u8(status.rawValue)
            w.flag(revokedIndex != nil)
            if let revokedIndex { w.u64(revokedIndex) }
            w.optionalText(revokingOrg)
            w.u32(usages)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .grantState) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            let id = try r.digest()
            let grantIndex = try r.u64()
            let grantedTimeMs = try r.u64()
            let person = PersonKey(digest: try r.digest())
            let operatorOrg = try r.text("operator_org")
            let channel = try r.text("channel")
            let scope = try r.enumeration("scope", GrantScope.self)
            let count = try r.count("invoices", limit: AuthorizationGrant.maxNamedInvoices, minimumBytes: 8)
            var invoices: [InvoiceKey] = []
            for _ in 0..<count {
                invoices.append(InvoiceKey(invoiceCode: try r.text("invoice_code"), invoiceNumber: try r.text("invoice_number")))
            }
            let validFromMs = try r.u64()
            let validUntilMs = try r.u64()
            let status = try r.enumeration("status", Status.self)
            let revokedIndex = try r.flag("revoked") ? try r.u64() : nil
            return AuthorizationGrantState(id: id, grantIndex: grantIndex, grantedTimeMs: grantedTimeMs, person: person,
                                           operatorOrg: operatorOrg, channel: channel, scope: scope, invoices: invoices,
                                           validFromMs: validFromMs, validUntilMs: validUntilMs, status: status,
                                           revokedIndex: revokedIndex, revokingOrg: try r.optionalText("revoking_org"),
                                           usages: try r.u32())
        }
    }
}

/// One usage record under a grant: the entry that recorded it, when the channel read, and what.
public struct GrantUsageRecord: Hashable, Sendable {
    public let index: UInt64
    public let readTimeMs: UInt64
    public let invoice: InvoiceKey
}
