import Foundation
import NIOCore

/// TLS for the RPC server (OpenSSL 3, ALPN `h2`, TLS 1.2 and 1.3 only). Nil in `RPCServerConfiguration.tls`
/// means plain h2c, the development default.
public struct TLSConfiguration: Sendable {
    /// Where PEM text comes from: a file read once at server start, or the text itself.
    public enum PEMSource: Sendable {
        case file(String)
        case pem(String)
    }

    /// Whether clients must prove who they are with a certificate signed by `clientCA`.
    public enum ClientAuthentication: Sendable {
        /// No certificate is asked for.
        case none
        /// A certificate is asked for; a client without one is served anonymously, one with a bad one is refused.
        case optional
        /// A client without a certificate signed by `clientCA` fails the handshake (mutual TLS).
        case required
    }

    /// The server certificate first, then any intermediates.
    public var certificateChain: PEMSource
    /// The private key of the first certificate (unencrypted PEM).
    public var privateKey: PEMSource
    /// CA certificates that client certificates must chain to; needed unless `clientAuthentication` is `.none`.
    public var clientCA: PEMSource?
    public var clientAuthentication: ClientAuthentication
    /// Largest certificate chain depth accepted from a client.
    public var maxClientChainDepth: Int32 = 4
    /// A handshake not finished within this time closes its connection (a silent client holds no slot).
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// Where handshake failures and other per-connection TLS trouble are reported (one line each).
    public var log: @Sendable (String) -> Void = { line in TLSConfiguration.logToStandardError(line) }

    public init(certificateChain: PEMSource, privateKey: PEMSource, clientCA: PEMSource? = nil,
                clientAuthentication: ClientAuthentication = .none) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCA = clientCA
        self.clientAuthentication = clientAuthentication
    }

    public static func logToStandardError(_ line: String) {
        FileHandle.standardError.write(Data(("yibao-rpc tls: " + line + "\n").utf8))
    }
}
