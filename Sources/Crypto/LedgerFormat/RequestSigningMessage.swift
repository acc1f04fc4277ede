/// What an org signs (SM2, user id 1234567812345678) to authenticate one RPC call over a channel without mutual
/// TLS; the signature travels in the call's metadata (`yibao-signature-bin`).
///
///     "yibao-call-v1" (13 ASCII bytes)
///     u8 method length, method (the gRPC path, `/yibao.v1.InvoiceService/IssueInvoices`)
///     u8 org length, org       u64 timestamp, UTC ms       SM3 of the request message bytes (32)
///
/// The method binds the signature to one operation, the timestamp bounds its replay window, the digest binds it
/// to the request. For a streamed request the digest is of the empty string: the signature opens the stream.
public enum RequestSigningMessage {
    public static let domainTag = Array("yibao-call-v1".utf8)
    /// Longer methods cannot be signed: nothing legitimate is that long, and the length is one byte.
    public static let maxMethodLength = 255

    public static func bytes(method: String, org: String, timestampMs: UInt64, requestDigest: Digest32) -> [UInt8] {
        var w = ByteWriter(capacity: domainTag.count + 2 + method.utf8.count + org.utf8.count + 8 + 32)
        w.raw(domainTag)
        w.shortField(method)
        w.shortField(org)
        w.u64(timestampMs)
        w.digest(requestDigest)
        return w.bytes
    }
}
