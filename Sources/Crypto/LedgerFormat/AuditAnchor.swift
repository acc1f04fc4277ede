/// Payload of an `audit_anchor` entry: the node writes its audit trail's head into the Merkle ledger from time to
/// time, so that the trail (hash-chained, but in a store of its own) cannot lose its tail or be rewritten up to an
/// anchored event without the signed ledger contradicting it.
///
///     u8 format (1)   u64 sequence of the trail's latest event   its chain link (32)
public struct AuditAnchor: Sendable, Equatable {
    public static let format: UInt8 = 1

    public var sequence: UInt64
    public var link: Digest32

    public init(sequence: UInt64, link: Digest32) {
        self.sequence = sequence
        self.link = link
    }

    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: 41)
        w.u8(Self.format)
        w.u64(sequence)
        w.digest(link)
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        var r = ByteReader(bytes)
        let format = try r.u8()
        guard format == Self.format else { throw FormatError("audit anchor format \(format) is not \(Self.format)") }
        sequence = try r.u64()
        link = try r.digest()
        guard r.isAtEnd else { throw FormatError("\(r.remaining) trailing bytes after the audit anchor") }
    }
}
