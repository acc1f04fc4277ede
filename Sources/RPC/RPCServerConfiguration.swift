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
    /// Open connections. When all are taken, a newcomer is admitted by closing the oldest connection that has not
    /// started a call (nor shown a verified client certificate); when there is none, the newcomer is closed on accept.
    public var maxConnections = 1024
    /// Open connections from one peer address (IPv4 or IPv6, port ignored); a newcomer beyond it is closed on accept.
    public var maxConnectionsPerAddress = 256
    /// A handler writing faster than the client reads waits once this many bytes are queued for its stream.
    public var responseBufferHighWatermark = 512 * 1024
    /// ... and resumes once the queue has drained below this.
    public var responseBufferLowWatermark = 128 * 1024
    /// Response bytes queued for one connection, all its streams together: streaming handlers of the connection
    /// wait while it holds more, and resume once it is below half. (Each stream may overshoot by the message it
    /// was writing; unary responses and trailers never wait, but count.)
    public var connectionResponseBufferLimit = 2 * 1024 * 1024
    /// The same, for every connection of the server together: what peers that do not read can make it hold.
    public var serverResponseBufferLimit = 256 * 1024 * 1024
    /// Response bytes a connection writes to its socket in one event-loop turn before it lets the loop's other
    /// connections have theirs (it continues in a later turn).
    public var maxWriteBytesPerTurn = 256 * 1024
    /// A connection that has not sent its preface and first SETTINGS this long after the accept (TLS handshake
    /// included) is closed.
    public var prefaceTimeout: TimeAmount = .seconds(10)
    /// A connection with no open call that completes no HEADERS, DATA or RST_STREAM frame for this long gets GOAWAY
    /// and is closed. Control frames (PING, SETTINGS, WINDOW_UPDATE) and partial frames do not count: a peer
    /// trickling bytes or pings does not keep a slot.
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
