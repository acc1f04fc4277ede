import YibaoCrypto
import YibaoLedger
import YibaoRPC

/// Decides which org a call acts for (docs/api.md, Identity):
/// 1. mutual TLS: the client certificate's CN is the org code; it must be registered.
/// 2. else metadata `yibao-org`, `yibao-timestamp` (UTC ms), `yibao-signature-bin`: the org's SM2 signature over
///    `RequestSigningMessage(method, org, timestamp, SM3(request bytes))`, timestamp within ±`maxClockSkewMs`.
/// 3. else, only in development mode, `yibao-org` alone is taken at its word.
/// Every refusal is `unauthenticated` naming what is missing or wrong.
public struct CallAuthenticator: Sendable {
    public static let maxClockSkewMs: UInt64 = 300_000
    public static let orgKey = "yibao-org"
    public static let timestampKey = "yibao-timestamp"
    public static let signatureKey = "yibao-signature-bin"

    let ledger: Ledger
    let developmentMode: Bool
    let clock: @Sendable () -> UInt64

    public init(ledger: Ledger, developmentMode: Bool, clock: @escaping @Sendable () -> UInt64 = WallClock.nowMs) {
        self.ledger = ledger
        self.developmentMode = developmentMode
        self.clock = clock
    }

    /// `requestDigest`: SM3 of the request message bytes, or of the empty string for a streamed request. Taken
    /// only for a signed call: mutual TLS and development calls do not hash a request (a batch can be megabytes).
    public func authenticate(method: String, metadata: GRPCMetadata, peer: TLSPeerIdentity?,
                             requestDigest digestOfRequest: @autoclosure () -> Digest32) throws(LedgerError) -> CallerIdentity {
        if let peer {
            guard let org = peer.commonName, !org.isEmpty else {
                throw LedgerError(.unauthenticated, "the client certificate has no subject CN naming an org")
            }
            let role = try registeredRole(org, how: "the client certificate's CN")
            return CallerIdentity(org: org, role: role,
                                  authentication: .mutualTLS(certificateSHA256: Hex.decode(peer.sha256Fingerprint) ?? []))
        }
        guard let org = metadata.firstString(Self.orgKey), !org.isEmpty else {
            throw LedgerError(.unauthenticated, "no identity: send metadata \(Self.orgKey), \(Self.timestampKey) and \(Self.signatureKey), or use mutual TLS")
        }
        let signature = metadata.firstBytes(Self.signatureKey)
        if signature == nil, developmentMode {
            return CallerIdentity(org: org, role: try registeredRole(org, how: Self.orgKey), authentication: .development)
        }
        guard let signature, !signature.isEmpty else {
            throw LedgerError(.unauthenticated, "metadata \(Self.signatureKey) is missing: the node requires signed calls")
        }
        guard signature.count <= BatchAuthentication.maxSignatureLength else {
            throw LedgerError(.unauthenticated, "metadata \(Self.signatureKey) is \(signature.count) bytes, more than a DER SM2 signature")
        }
        guard let text = metadata.firstString(Self.timestampKey), let timestampMs = UInt64(text) else {
            throw LedgerError(.unauthenticated, "metadata \(Self.timestampKey) is missing or not decimal UTC milliseconds")
        }
        let now = clock()
        let skew = now > timestampMs ? now - timestampMs : timestampMs - now
        guard skew <= Self.maxClockSkewMs else {
            throw LedgerError(.unauthenticated, "metadata \(Self.timestampKey) \(timestampMs) is \(skew) ms from the node's clock \(now); at most \(Self.maxClockSkewMs) ms allowed")
        }
        guard method.utf8.count <= RequestSigningMessage.maxMethodLength else {
            throw LedgerError(.unauthenticated, "method path too long to sign")
        }
        guard let registered = ledger.org(org) else {
            throw LedgerError(.unauthenticated, "org \(org) (\(Self.orgKey)) is not registered on this node")
        }
        let requestDigest = digestOfRequest()
        let message = RequestSigningMessage.bytes(method: method, org: org, timestampMs: timestampMs, requestDigest: requestDigest)
        guard registered.publicKey.isValidSignature(signature, for: message) else {
            throw LedgerError(.unauthenticated, "metadata \(Self.signatureKey) is not org \(org)'s signature over this call (method, timestamp, request digest)")
        }
        return CallerIdentity(org: org, role: registered.role,
                              authentication: .signedRequest(method: method, timestampMs: timestampMs,
                                                             requestDigest: requestDigest, signature: signature))
    }

    private func registeredRole(_ org: String, how: String) throws(LedgerError) -> String {
        guard let registered = ledger.org(org) else {
            throw LedgerError(.unauthenticated, "org \(org) (\(how)) is not registered on this node")
        }
        return registered.role
    }
}
