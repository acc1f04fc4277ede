import NIOCore

/// TLS for the RPC client (OpenSSL 3, ALPN `h2`, TLS 1.2+): the server certificate must chain to
/// `trustedCA` and name the host (DNS name or IP address); a client certificate makes it mutual TLS.
public struct TLSClientConfiguration: Sendable {
    public typealias PEMSource = TLSConfiguration.PEMSource

    /// CA certificates the server's chain must lead to.
    public var trustedCA: PEMSource
    /// Our certificate chain and key, for servers that require client authentication (mutual TLS).
    public var certificateChain: PEMSource?
    public var privateKey: PEMSource?
    /// The name checked against the server certificate and sent as SNI; nil uses the configured host.
    public var serverName: String?
    public var handshakeTimeout: TimeAmount = .seconds(10)
    public var log: @Sendable (String) -> Void = { line in TLSConfiguration.logToStandardError(line) }

    public init(trustedCA: PEMSource, certificateChain: PEMSource? = nil, privateKey: PEMSource? = nil,
                serverName: String? = nil) {
        self.trustedCA = trustedCA
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.serverName = serverName
    }
}
