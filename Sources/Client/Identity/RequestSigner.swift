import Foundation
import YibaoCrypto
import YibaoRPC

/// The client side of the "Identity" contract for channels without mutual TLS: every call carries
/// `yibao-org`, `yibao-timestamp` (UTC ms) and `yibao-signature-bin`, an SM2 signature (user id
/// 1234567812345678) by the org's key over `RequestSigningMessage` — the method, org, timestamp and SM3 of the
/// request bytes (of the empty string for client and bidirectional streams, whose signature opens the stream).
///
/// Install it once: `configuration.callAuthenticator = signer.authenticator`. Each attempt (retries too) is
/// signed afresh, so its timestamp stays inside the server's ±300 s window.
public struct RequestSigner: Sendable {
    public let org: String
    private let key: SM2PrivateKey
    private let now: @Sendable () -> UInt64

    /// `now`: UTC milliseconds; the system clock unless a test fixes it.
    public init(org: String, privateKey: SM2PrivateKey, now: @escaping @Sendable () -> UInt64 = RequestSigner.utcMilliseconds) {
        self.org = org
        self.key = privateKey
        self.now = now
    }

    public static func utcMilliseconds() -> UInt64 {
        UInt64(max(Date().timeIntervalSince1970, 0) * 1000)
    }

    /// The three metadata entries for one call to `method` (`/pkg.Service/Method`).
    public func metadata(method: String, request: [UInt8]?) throws -> GRPCMetadata {
        let timestamp = now()
        let digest = HashAlgorithm.sm3.hash(request ?? [])
        let message = RequestSigningMessage.bytes(method: method, org: org, timestampMs: timestamp, requestDigest: digest)
        var metadata = GRPCMetadata()
        metadata.add("yibao-org", org)
        metadata.add("yibao-timestamp", String(timestamp))
        metadata.add("yibao-signature-bin", bytes: try key.signature(for: message))
        return metadata
    }

    /// For `RPCClientConfiguration.callAuthenticator`.
    public var authenticator: @Sendable (String, [UInt8]?) throws -> GRPCMetadata {
        { [self] method, request in try metadata(method: method, request: request) }
    }
}
