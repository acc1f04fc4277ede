import NIOCore
import NIOPosix

/// Where a client connects and every bound it keeps. Defaults suit a loopback h2c development server.
public struct RPCClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// TLS (OpenSSL, ALPN h2, server verification, optional client certificate); nil speaks h2c.
    public var tls: TLSClientConfiguration?
    /// Connections opened to the server; calls are spread over them. Each carries many concurrent streams.
    public var connections = 1
    /// Calls waiting on one connection for a stream slot (server MAX_CONCURRENT_STREAMS reached); more fail
    /// RESOURCE_EXHAUSTED instead of queueing without bound.
    public var maxQueuedCallsPerConnection = 1000
    public var connectTimeout: TimeAmount = .seconds(10)
    /// Waits between reconnection attempts after a failure: exponential, capped, with jitter.
    public var reconnectBackoff = RPCBackoff(initial: .milliseconds(100), maximum: .seconds(5))
    /// With true, a call made while the connection is down (in backoff) fails UNAVAILABLE at once instead of
    /// waiting for the next attempt within its deadline.
    public var failFastWhenDisconnected = false
    /// Largest response message accepted; a larger one ends the call RESOURCE_EXHAUSTED.
    public var maxReceiveMessageSize = 4 * 1024 * 1024
    /// Advertised in SETTINGS; a larger response header block resets its stream.
    public var maxHeaderListSize: UInt32 = 16 * 1024
    /// Per-stream receive window: how far a server may send ahead of what the caller read.
    public var initialWindowSize: UInt32 = 1024 * 1024
    public var connectionWindowSize: Int32 = 8 * 1024 * 1024
    /// A streaming call's `write` waits once this many request bytes are queued for its stream.
    public var requestBufferHighWatermark = 256 * 1024
    public var requestBufferLowWatermark = 64 * 1024
    /// Keepalive: a PING every `keepaliveInterval` (nil: never); no ACK within `keepaliveTimeout` closes the
    /// connection and fails its calls UNAVAILABLE.
    public var keepaliveInterval: TimeAmount?
    public var keepaliveTimeout: TimeAmount = .seconds(20)
    /// Retries of idempotent calls that failed UNAVAILABLE (and of refused streams): attempts in all.
    public var maxAttempts = 3
    public var retryBackoff = RPCBackoff(initial: .milliseconds(50), maximum: .seconds(1))
    /// `close()` lets in-flight calls run this long before closing the connections anyway.
    public var closeGracePeriod: TimeAmount = .seconds(10)
    public var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    /// Metadata computed per call attempt from the method path and, for single-request calls, the request
    /// bytes (nil for client and bidirectional streams): e.g. a request signature. Added after the call's own.
    public var callAuthenticator: (@Sendable (_ path: String, _ request: [UInt8]?) throws -> GRPCMetadata)?

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }
}

/// Exponential backoff with jitter: attempt n waits initial × multiplier^(n-1), capped at maximum, then
/// scaled by a random factor in 1 ± jitter so that many clients do not retry in lockstep.
public struct RPCBackoff: Sendable {
    public var initial: TimeAmount
    public var maximum: TimeAmount
    public var multiplier = 1.6
    public var jitter = 0.2

    public init(initial: TimeAmount, maximum: TimeAmount) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait before attempt `attempt` + 1 (`attempt` ≥ 1 failures so far).
    public func delay(afterFailures failures: Int) -> TimeAmount {
        var nanoseconds = Double(initial.nanoseconds)
        for _ in 1..<max(failures, 1) {
            nanoseconds *= multiplier
            if nanoseconds >= Double(maximum.nanoseconds) { break }
        }
        nanoseconds = min(nanoseconds, Double(maximum.nanoseconds))
        nanoseconds *= Double.random(in: (1 - jitter)...(1 + jitter))
        return .nanoseconds(Int64(nanoseconds))
    }
}

/// Per-call settings.
public struct RPCCallOptions: Sendable {
    /// The call fails DEADLINE_EXCEEDED after this long (sent to the server as `grpc-timeout`).
    public var timeout: Duration?
    /// An absolute deadline; the earlier of this and `timeout` applies.
    public var deadline: ContinuousClock.Instant?
    public var metadata = GRPCMetadata()
    /// The method may run twice without harm: an UNAVAILABLE failure is retried (unary and server streaming,
    /// before any response message reached the caller).
    public var idempotent = false

    public init(timeout: Duration? = nil, metadata: GRPCMetadata = GRPCMetadata(), idempotent: Bool = false) {
        self.timeout = timeout
        self.metadata = metadata
        self.idempotent = idempotent
    }

    /// The effective deadline, fixed once when the call starts (retries share it).
    func resolvedDeadline(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let fromTimeout = timeout.map { now + $0 }
        switch (fromTimeout, deadline) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        default: return nil
        }
    }
}
