/// Fired inbound by `OpenSSLConnectionHandler` once the handshake is done, before the first decrypted byte.
/// `peer` is nil when the client sent no certificate (client authentication `.none` or `.optional`).
struct TLSHandshakeCompletedEvent: Sendable {
    let peer: TLSPeerIdentity?
}
