/// A TLS set-up or connection failure, with OpenSSL's own reasons (its error queue, drained) attached.
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ what: String, openSSLReasons: [String] = []) {
        description = openSSLReasons.isEmpty ? what : what + ": " + openSSLReasons.joined(separator: "; ")
    }
}
