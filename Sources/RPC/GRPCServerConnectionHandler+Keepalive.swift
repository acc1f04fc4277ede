import CNghttp2
import NIOCore

/// Keepalive both ways. Ours: a PING every `keepaliveInterval`; no ACK within `keepaliveTimeout` closes the
/// connection (the peer is gone or stuck). The client's: PINGs closer together than `minClientPingInterval` are
/// strikes, and past `maxClientPingStrikes` the client gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings", as grpc
/// servers answer, because a ping flood makes us write without ever costing the client a call.
struct KeepaliveState {
    var nextPing: Scheduled<Void>?
    var ackTimeout: Scheduled<Void>?
    var lastClientPing: NIODeadline?
    var clientPingStrikes = 0
}

extension GRPCServerConnectionHandler {
    /// Marks our keepalive PING, so its ACK is told apart from the shutdown PING's.
    static let keepalivePingPayload: UInt64 = 0x5949_4241_4b41_4c56

    func scheduleKeepalivePing() {
        guard let interval = configuration.keepaliveInterval, keepalive.nextPing == nil,
              keepalive.ackTimeout == nil, !isClosing else { return }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        keepalive.nextPing = eventLoop.scheduleTask(in: interval) { bound.value.sendKeepalivePing() }
    }

    func sendKeepalivePing() {
        keepalive.nextPing = nil
        guard let session, !isClosing else { return }
        session.submitPing(opaque: GRPCServerConnectionHandler.keepalivePingPayload)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        keepalive.ackTimeout = eventLoop.scheduleTask(in: configuration.keepaliveTimeout) {
            bound.value.keepaliveTimedOut()
        }
        flushOutput()
    }

    func keepaliveAcknowledged() {
        keepalive.ackTimeout?.cancel()
        keepalive.ackTimeout = nil
        scheduleKeepalivePing()
    }

    /// No ACK: the peer cannot be reached, so nothing we send would arrive either. Close without ceremony;
    /// handlers still running are cancelled by the teardown.
    func keepaliveTimedOut() {
        keepalive.ackTimeout = nil
        guard let context = channelContext, !isClosing else { return }
        isClosing = true
        context.close(promise: nil)
    }

    func stopKeepalive() {
        keepalive.nextPing?.cancel()
        keepalive.ackTimeout?.cancel()
        keepalive.nextPing = nil
        keepalive.ackTimeout = nil
    }

    /// On each client PING (nghttp2 has queued the ACK already).
    func clientPinged() {
        let now = NIODeadline.now()
        defer { keepalive.lastClientPing = now }
        guard let last = keepalive.lastClientPing, now - last < configuration.minClientPingInterval else { return }
        keepalive.clientPingStrikes += 1
        guard keepalive.clientPingStrikes > configuration.maxClientPingStrikes, let session,
              shutdownPhase != .goAwaySent else { return }
        shutdownPhase = .goAwaySent
        session.submitGoAway(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue, debugData: "too_many_pings")
        // Calls in flight are not worth the client's abuse: close once the GOAWAY is written.
        closeAfterFlushing()
    }

    /// Sending response HEADERS or DATA resets the ping accounting (grpc does the same): a client pinging while
    /// it gets responses (grpc's BDP probes ride on received data) is measuring a live connection, not flooding.
    func responseStarted() {
        keepalive.lastClientPing = nil
        keepalive.clientPingStrikes = 0
    }
}
