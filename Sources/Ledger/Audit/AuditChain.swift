import YibaoCrypto

/// The audit trail is hash-chained: each stored event carries
/// `link = SM3("yibao-audit-v1" ‖ previous link ‖ u64 sequence ‖ event bytes)`, the first one chaining from zero.
/// Deleting, reordering or altering an event breaks every link after it; `AuditTrail.verify` recomputes them.
/// The latest link is the trail's head, which the node can publish or anchor elsewhere.
enum AuditChain {
    static let domainTag = Array("yibao-audit-v1".utf8)

    static func link(previous: Digest32, sequence: UInt64, event: [UInt8], hashing: HashAlgorithm = .sm3) -> Digest32 {
        var w = ByteWriter(capacity: domainTag.count + 32 + 8 + event.count)
        w.raw(domainTag)
        w.digest(previous)
        w.u64(sequence)
        w.raw(event)
        return hashing.hash(w.bytes)
    }

    /// Stored value: link (32) ‖ event bytes.
    static func stored(link: Digest32, event: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 32 + event.count)
        w.digest(link)
        w.raw(event)
        return w.bytes
    }
}
