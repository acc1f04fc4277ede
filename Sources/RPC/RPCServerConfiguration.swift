import NIOCore

/// Limits and addresses of a server. Every resource a client can make the server hold has a bound here.
public struct RPCServerConfiguration: Sendable {
    /// Loopback by default: plain HTTP/2 (h2c) is for development; set `tls` for anything else.
    public var host = "127.0.0.1"
    /// 0 asks the kernel for a free port; `RPCServer.port` tells which.
    public var port = 0
    /// Advertised in SETTINGS; nghttp2 refuses streams beyond it with REFUSED_STREAM.
    public var maxConcurrentStreams: UInt32 = 100
    /// Largest request message accepted (the 5-byte prefix is checked before the body is buffered).
    public var maxMessageSize = 4 * 1024 * 1024
    /// Advertised in SETTINGS and enforced per header block; a larger block resets its stream.
    public var maxHeaderListSize: UInt32 = 16 * 1024
    /// Per-stream receive window: how much request body a client may send ahead.
    public var initialWindowSize: UInt32 = 1024 * 1024
    /// Receive window of the whole connection, shared by its streams.
    public var connectionWindowSize: Int32 = 8 * 1024 * 1024
    /// Connections beyond this are closed on accept.
    public var maxConnections = 1024
    /// A handler writing faster than the client reads waits once this many bytes are queued for its stream.
    public var responseBufferHighWatermark = 512 * 1024
    /// ... and resumes once the queue has drained below this.
    public var responseBufferLowWatermark = 128 * 1024
    /// A connection with no open call that sends nothing for this long gets GOAWAY and is closed
    /// (this also ends connections that never finish the preface).
    public var idleTimeout: TimeAmount = .minutes(5)
    /// Graceful shutdown waits this long for the client to answer the PING sent with the GOAWAY notice before
    /// sending the final GOAWAY anyway.
    public var shutdownPingTimeout: TimeAmount = .seconds(2)
    /// How long graceful shutdown lets in-flight calls run before closing their connections anyway.
    public var shutdownGracePeriod: TimeAmount = .seconds(30)

    /// Keepalive: every connection gets a PING this often; nil sends none. Catches peers that vanished without
    /// a FIN (a dead NAT entry, a crashed host) so their calls and slots are freed. Default as grpc's servers.
    public var keepaliveInterval: TimeAmount? = .hours(2)
    /// A connection whose peer has not answered the keepalive PING after this long is closed.
    public var keepaliveTimeout: TimeAmount = .seconds(20)
    /// Client PINGs closer together than this are strikes (grpc's `min_recv_ping_interval_without_data`): each
    /// PING costs us a write. Sending response HEADERS or DATA resets the count, as in grpc, so pings during calls are fine.
    public var minClientPingInterval: TimeAmount = .minutes(5)
    /// Strikes tolerated; the next one gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings" and the connection closes.
    public var maxClientPingStrikes = 2

    /// TLS (OpenSSL, ALPN h2, optional mutual TLS); nil serves plain h2c.
    public var tls: TLSConfiguration?

    /// Where handler tasks run; nil means Swift's global concurrent executor. See `EventLoopGroupTaskExecutor`.
    public var handlerExecutor: (any TaskExecutor)?
    /// Runs handler tasks on their connection's event loop instead (`handlerExecutor` is then unused): a call
    /// costs no thread hop to start or to answer, the cheapest for short handlers (reads), but a handler's CPU
    /// time delays the socket I/O of every connection on that loop.
    public var handlersOnConnectionLoop = false

    public init() {}
}
