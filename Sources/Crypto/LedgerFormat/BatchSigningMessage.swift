/// What an org signs (SM2, user id 1234567812345678) for one request batch: one signature attributes every record.
///
///     "yibao-batch-v1" (14 ASCII bytes)
///     u8 org length, org     u8 request id length, request id
///     u32 record count       the Merkle leaf hash of each record's entry, in order (32 bytes each)
///
/// Signing leaf hashes rather than payloads means nobody hashes a payload twice: the node computes each leaf once,
/// checks the signature over them, and appends them to the tree; an auditor recomputes them from the entries.
public enum BatchSigningMessage {
    public static let domainTag = Array("yibao-batch-v1".utf8)

    public static func bytes(org: String, requestId: String, leafHashes: [Digest32]) -> [UInt8] {
        var w = ByteWriter(capacity: domainTag.count + 2 + org.utf8.count + requestId.utf8.count + 4 + 32 * leafHashes.count)
        w.raw(domainTag)
        w.shortField(org)
        w.shortField(requestId)
        w.u32(UInt32(leafHashes.count))
        for h in leafHashes { w.digest(h) }
        return w.bytes
    }
}
