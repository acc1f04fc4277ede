/// How the node's transport authenticated the org of a batch the node attests (vouches for under its tree heads).
/// Kept in the batch seal so that an auditor sees what vouched for each batch, and can re-check what is checkable:
/// a signed request's org signature; for mutual TLS, the certificate fingerprint against the org's certificate.
///
///     u8 1 (mutual TLS)     u8 length, the client certificate's SHA-256 (32 bytes)
///     u8 2 (signed request) u8 method length, method   u64 timestamp ms   request digest (32)
///                           u16 length, the org's DER signature over `RequestSigningMessage`
///     u8 3 (development)    nothing: the node ran in development mode and took the org's word
public enum BatchAuthentication: Sendable, Equatable {
    case mutualTLS(certificateSHA256: [UInt8])
    case signedRequest(method: String, timestampMs: UInt64, requestDigest: Digest32, signature: [UInt8])
    case development

    /// A DER SM2 signature is at most 72 bytes; room for any encoding a peer may produce, and a bound.
    public static let maxSignatureLength = 128

    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: 64)
        encode(into: &w)
        return w.bytes
    }

    public func encode(into w: inout ByteWriter) {
        switch self {
        case .mutualTLS(let fingerprint):
            w.u8(1)
            w.u8(UInt8(fingerprint.count))
            w.raw(fingerprint)
        case .signedRequest(let method, let timestampMs, let requestDigest, let signature):
            w.u8(2)
            w.shortField(method)
            w.u64(timestampMs)
            w.digest(requestDigest)
            w.u16(UInt16(signature.count))
            w.raw(signature)
        case .development:
            w.u8(3)
        }
    }

    public init(decoding r: inout ByteReader) throws(FormatError) {
        switch try r.u8() {
        case 1:
            let count = Int(try r.u8())
            guard count == 32 else { throw FormatError("certificate fingerprint of \(count) bytes is not SHA-256's 32") }
            self = .mutualTLS(certificateSHA256: Array(try r.raw(count)))
        case 2:
            let method = try r.shortField()
            let timestampMs = try r.u64()
            let digest = try r.digest()
            let count = Int(try r.u16())
            guard count <= Self.maxSignatureLength else { throw FormatError("request signature of \(count) bytes") }
            self = .signedRequest(method: method, timestampMs: timestampMs, requestDigest: digest,
                                  signature: Array(try r.raw(count)))
        case 3:
            self = .development
        case let tag:
            throw FormatError("authentication tag \(tag) is none of 1, 2, 3")
        }
    }

    /// Whether the encoding fits its fields (a method of at most 255 bytes, a bounded signature, a 32-byte fingerprint).
    public var isEncodable: Bool {
        switch self {
        case .mutualTLS(let fingerprint): fingerprint.count == 32
        case .signedRequest(let method, _, _, let signature):
            method.utf8.count <= RequestSigningMessage.maxMethodLength && signature.count <= Self.maxSignatureLength
        case .development: true
        }
    }
}
