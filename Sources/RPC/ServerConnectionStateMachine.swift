import CNghttp2
import NIOCore

/// Every connection-level decision of one server connection, apart from its streams, as a value type with no
/// I/O and no clock (the handler passes `now` in): the preface deadline, the idle timer, keepalive both ways,
/// graceful shutdown and GOAWAY, and whether the connection may be evicted to make room for a newcomer. The
/// handler (`GRPCServerConnectionHandler+Management`) feeds it what happened and carries out the `Actions`.
///
/// Life of a connection: awaiting the client preface (until its first SETTINGS) -> active -> (notice GOAWAY ->
/// PING round trip -> final GOAWAY -> close once its calls end) or closed at once (preface deadline, keepalive
/// timeout, ping flood).
struct ServerConnectionStateMachine {
    struct Configuration {
        var prefaceTimeout: TimeAmount
        var idleTimeout: TimeAmount
        var keepaliveInterval: TimeAmount?
        var keepaliveTimeout: TimeAmount
        var minClientPingInterval: TimeAmount
        var maxClientPingStrikes: Int
        var shutdownPingTimeout: TimeAmount

        init(_ server: RPCServerConfiguration) {
            prefaceTimeout = server.prefaceTimeout
            idleTimeout = server.idleTimeout
            keepaliveInterval = server.keepaliveInterval
            keepaliveTimeout = server.keepaliveTimeout
            minClientPingInterval = server.minClientPingInterval
            maxClientPingStrikes = server.maxClientPingStrikes
            shutdownPingTimeout = server.shutdownPingTimeout
        }
    }

    enum Timer: Hashable, CaseIterable {
        case preface, idle, keepalive, keepaliveAck, shutdownPing
    }

    /// Our PINGs carry these, so an ACK is told apart from any other.
    enum PingPayload: UInt64 {
        case keepalive = 0x5949_4241_4b41_4c56
        case shutdown = 0x5949_4241_4f47_4f41
    }

    enum GoAway: Equatable {
        /// GOAWAY with the largest stream id: stop opening streams; those in flight are still served.
        case notice
        /// GOAWAY naming the last stream taken.
        case final(errorCode: UInt32, debugData: String)
    }

    enum Close: Equatable {
        /// Close without ceremony: the peer is unreachable or never spoke HTTP/2.
        case now
        /// Send what is queued (the GOAWAY), then close, whatever calls are open.
        case afterFlushing
        /// Close once the last call has ended and its output is written.
        case whenDrained
    }

    /// What the handler does, in this order: timers, GOAWAY (then a flush), PING, close.
    struct Actions: Equatable {
        var cancel: [Timer] = []
        var schedule: [Timer: TimeAmount] = [:]
        var goAway: GoAway?
        var ping: PingPayload?
        var close: Close?
    }

    /// Which idle connections give way first when the server is full: those that never finished the preface,
    /// then those that did; the oldest first within each (the registry breaks ties by accept order).
    enum EvictionRank: Comparable {
        case beforePreface, afterPreface
    }

    private enum Phase { case accepted, awaitingPreface, active, closed }
    private enum Shutdown { case running, noticeSent, goAwaySent }

    private let configuration: Configuration
    private var phase = Phase.accepted
    private var shutdown = Shutdown.running
    private var openStreams = 0
    /// Some call has started here, or the peer showed a verified certificate: no longer an anonymous idler.
    private var identified = false
    /// When the last HEADERS, DATA or RST_STREAM frame completed, or the last call ended.
    private var lastActivity: NIODeadline = .uptimeNanoseconds(0)
    private var awaitingKeepaliveAck = false
    private var lastClientPing: NIODeadline?
    private var clientPingStrikes = 0

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    var isGoAwaySent: Bool { shutdown == .goAwaySent }
    var isClosed: Bool { phase == .closed }

    /// nil: not to be evicted (a call started, a verified peer, a call open, or already on its way out).
    var evictionRank: EvictionRank? {
        guard !identified, openStreams == 0, shutdown == .running else { return nil }
        switch phase {
        case .accepted, .awaitingPreface: return .beforePreface
        case .active: return .afterPreface
        case .closed: return nil
        }
    }

    // MARK: Events

    /// The channel is active: the preface clock starts (it covers the TLS handshake too).
    mutating func activated(now: NIODeadline) -> Actions {
        guard phase == .accepted else { return Actions() }
        phase = .awaitingPreface
        lastActivity = now
        var actions = Actions()
        actions.schedule[.preface] = configuration.prefaceTimeout
        actions.schedule[.idle] = configuration.idleTimeout
        if let interval = configuration.keepaliveInterval { actions.schedule[.keepalive] = interval }
        return actions
    }

    /// The client's first SETTINGS arrived (nghttp2 checked the magic before it): the preface is complete.
    mutating func settingsReceived() -> Actions {
        guard phase == .awaitingPreface else { return Actions() }
        phase = .active
        return Actions(cancel: [.preface])
    }

    mutating func peerVerified() {
        identified = true
    }

    /// A complete HEADERS, DATA or RST_STREAM frame: the connection is in use.
    mutating func streamFrameReceived(now: NIODeadline) {
        lastActivity = now
    }

    mutating func streamOpened() {
        assert(phase != .closed, "a stream opened on a closed connection")
        openStreams += 1
        identified = true
    }

    mutating func streamClosed(now: NIODeadline) -> Actions {
        assert(openStreams > 0, "more streams closed than were opened")
        openStreams -= 1
        lastActivity = now
        guard openStreams == 0, phase != .closed else { return Actions() }
        if shutdown == .goAwaySent { return Actions(close: .whenDrained) }
        // The idle clock restarts now, in full.
        return Actions(schedule: [.idle: configuration.idleTimeout])
    }

    mutating func timerFired(_ timer: Timer, now: NIODeadline) -> Actions {
        guard phase != .closed else { return Actions() }
        switch timer {
        case .preface:
            guard phase == .awaitingPreface else { return Actions() }
            return close()
        case .idle:
            // With calls open the timer waits for the last one to end (`streamClosed` schedules it again).
            guard openStreams == 0 else { return Actions() }
            let idleFor = now - lastActivity
            guard idleFor >= configuration.idleTimeout else {
                return Actions(schedule: [.idle: configuration.idleTimeout - idleFor])
            }
            return beginGracefulShutdown()
        case .keepalive:
            guard !awaitingKeepaliveAck else { return Actions() }
            awaitingKeepaliveAck = true
            return Actions(schedule: [.keepaliveAck: configuration.keepaliveTimeout], ping: .keepalive)
        case .keepaliveAck:
            // No ACK: the peer cannot be reached, so nothing we send would arrive either.
            guard awaitingKeepaliveAck else { return Actions() }
            return close()
        case .shutdownPing:
            return sendFinalGoAway()
        }
    }

    mutating func pingAcknowledged(_ opaque: UInt64) -> Actions {
        switch PingPayload(rawValue: opaque) {
        case .keepalive:
            guard awaitingKeepaliveAck else { return Actions() }
            awaitingKeepaliveAck = false
            var actions = Actions(cancel: [.keepaliveAck])
            if let interval = configuration.keepaliveInterval { actions.schedule[.keepalive] = interval }
            return actions
        case .shutdown:
            return sendFinalGoAway()
        case nil:
            return Actions()  // not ours to act on
        }
    }

    /// A client PING (nghttp2 has queued the ACK already). Closer together than `minClientPingInterval` is a
    /// strike; past `maxClientPingStrikes`, GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (what grpc servers send),
    /// and the connection closes once that is written: a ping flood costs us writes and the client no call.
    mutating func clientPinged(now: NIODeadline) -> Actions {
        defer { lastClientPing = now }
        guard let last = lastClientPing, now - last < configuration.minClientPingInterval else { return Actions() }
        clientPingStrikes += 1
        guard clientPingStrikes > configuration.maxClientPingStrikes, shutdown != .goAwaySent,
              phase != .closed else { return Actions() }
        shutdown = .goAwaySent
        return Actions(cancel: [.shutdownPing],
                       goAway: .final(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue, debugData: "too_many_pings"),
                       close: .afterFlushing)
    }

    /// Response HEADERS or DATA went out: a client pinging while it gets responses (grpc's BDP probes ride on
    /// received data) is measuring a live connection, not flooding; grpc resets its count the same way.
    mutating func responseSent() {
        lastClientPing = nil
        clientPingStrikes = 0
    }

    /// Streams the client opened before it saw the notice are still served: the final GOAWAY goes out only after
    /// a PING round trip proves the notice arrived (or after `shutdownPingTimeout`).
    mutating func beginGracefulShutdown() -> Actions {
        guard shutdown == .running, phase != .closed else { return Actions() }
        shutdown = .noticeSent
        return Actions(schedule: [.shutdownPing: configuration.shutdownPingTimeout], goAway: .notice, ping: .shutdown)
    }

    /// The channel is gone (or closing): nothing more is scheduled.
    mutating func closed() -> Actions {
        guard phase != .closed else { return Actions() }
        phase = .closed
        return Actions(cancel: Timer.allCases)
    }

    // MARK: Helpers

    private mutating func sendFinalGoAway() -> Actions {
        guard shutdown == .noticeSent else { return Actions() }
        shutdown = .goAwaySent
        return Actions(cancel: [.shutdownPing], goAway: .final(errorCode: NGHTTP2_NO_ERROR.rawValue, debugData: ""),
                       close: .whenDrained)
    }

    private mutating func close() -> Actions {
        var actions = closed()
        actions.close = .now
        return actions
    }
}
