import YibaoCrypto
import YibaoLedger

/// The grant state databases:
///
/// | database | key → value |
/// |---|---|
/// | `grants` | grant id (32) → `AuthorizationGrantState` |
/// | `grants_by_person` | person key (32) ‖ u8 len ‖ channel ‖ u64 BE (UInt64.max − grant index) → grant id |
/// | `grant_usage` | grant id ‖ u64 BE index → u64 BE read time ‖ invoice key |
///
/// A read check scans one person's grants to one channel, newest first.
struct AuthorizationStore {
    static let grants = "grants"
    static let grantsByPerson = "grants_by_person"
    static let grantUsage = "grant_usage"
    static let databaseNames = [grants, grantsByPerson, grantUsage]

    let bytes: StateBytes

    init(state: StateTransaction) { bytes = StateBytes(state: state) }

    func grant(_ id: Digest32) throws -> AuthorizationGrantState? {
        guard let stored = try bytes.get(Self.grants, id.bytes) else { return nil }
        return try StateBytes.decoded("grants[\(id)]") { () throws(FormatError) in try AuthorizationGrantState(decoding: stored) }
    }

    func putGrant(_ grant: AuthorizationGrantState) throws {
        try bytes.put(Self.grants, grant.id.bytes, grant.encoded)
    }

    func addPersonGrant(_ grant: AuthorizationGrantState) throws {
        try bytes.put(Self.grantsByPerson, Self.personPrefix(grant.person, channel: grant.channel)
                      + StateBytes.u64(UInt64.max - grant.grantIndex), grant.id.bytes)
    }

    /// Grant ids of the person, to `channel` only if given (newest first), else by channel; at most `limit`.
    func grantIds(of person: PersonKey, channel: String?, limit: Int) throws -> [Digest32] {
        var ids: [Digest32] = []
        let prefix = channel.map { Self.personPrefix(person, channel: $0) } ?? person.digest.bytes
        try bytes.scan(Self.grantsByPerson, prefix: prefix, limit: limit) { _, value in
            guard let id = Digest32(bytes: value) else {
                throw LedgerError(.dataLoss, "state: a grants_by_person value of \(person) holds \(value.count) bytes, not a grant id")
            }
            ids.append(id)
        }
        return ids
    }

    func addUsage(_ id: Digest32, index: UInt64, readTimeMs: UInt64, invoice: InvoiceKey) throws {
        try bytes.put(Self.grantUsage, id.bytes + StateBytes.u64(index),
                      StateBytes.u64(readTimeMs) + InvoiceSettlementStateKeys.invoice(invoice))
    }

    /// Usage records of the grant in ledger order, after index `after` (exclusive), at most `limit`.
    func usages(_ id: Digest32, after: UInt64?, limit: Int) throws -> [GrantUsageRecord] {
        let prefix = id.bytes
        var start = prefix
        if let after {
            guard after < UInt64.max else { return [] }
            start += StateBytes.u64(after + 1)
        }
        var found: [GrantUsageRecord] = []
        try bytes.scan(Self.grantUsage, prefix: prefix, from: start, limit: limit) { rest, value in
            guard let index = StateBytes.u64(from: rest), value.count > 8, let readTime = StateBytes.u64(from: value.prefix(8)) else {
                throw LedgerError(.dataLoss, "state: a grant_usage record of grant \(id) does not decode")
            }
            let invoice: InvoiceKey
            do {
                invoice = try Array(value.dropFirst(8)).withUnsafeBytes { buffer throws(FormatError) in
                    var r = ByteReader(buffer)
                    let key = try InvoiceSettlementStateKeys.readInvoice(&r)
                    guard r.isAtEnd else { throw FormatError("\(r.remaining) bytes after the invoice key") }
                    return key
                }
            } catch {
                throw LedgerError(.dataLoss, "state: a grant_usage record of grant \(id) does not decode: \(error)")
            }
            found.append(GrantUsageRecord(index: index, readTimeMs: readTime, invoice: invoice))
        }
        return found
    }

    /// person key ‖ u8 len ‖ channel (channel codes are validated to at most 30 bytes).
    private static func personPrefix(_ person: PersonKey, channel: String) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.raw(person.digest.bytes)
        w.shortField(channel)
        return w.bytes
    }
}
