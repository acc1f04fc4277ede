/// Fired inbound by a client-side `OpenSSLConnectionHandler` when TLS ends the connection (handshake refused,
/// certificate not trusted, a fatal alert later on), before it closes: the gRPC client handler fails the
/// connection's calls with this reason instead of a bare "connection lost".
struct TLSConnectionFailedEvent: Sendable {
    let error: TLSError
}
