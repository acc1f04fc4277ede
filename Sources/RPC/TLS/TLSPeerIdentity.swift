/// Who is on the other end of a TLS connection, as its verified client certificate says.
/// Services map `commonName` to an org code; `sha256Fingerprint` pins one certificate exactly.
public struct TLSPeerIdentity: Sendable, Hashable {
    /// The subject's CN (UTF-8), e.g. `H46010600001`; nil when the subject has none.
    public let commonName: String?
    /// The whole subject, RFC 2253 form (`CN=...,O=...,C=CN`).
    public let subject: String
    /// SHA-256 of the certificate's DER encoding, lowercase hex.
    public let sha256Fingerprint: String

    public init(commonName: String?, subject: String, sha256Fingerprint: String) {
        self.commonName = commonName
        self.subject = subject
        self.sha256Fingerprint = sha256Fingerprint
    }
}
