import CNghttp2
import NIOCore
import Synchronization

/// What a connection needs to open one call's stream.
struct ClientCallRequest: Sendable {
    var path: String
    var metadata: GRPCMetadata
    var deadline: ContinuousClock.Instant?
}

/// What the pool may read about a connection from any thread.
final class ClientConnectionState: Sendable {
    /// False after GOAWAY, keepalive failure, close or connection loss: new calls go elsewhere.
    let usable = Atomic<Bool>(true)
    let activeCalls = Atomic<Int>(0)
    /// Call ids are taken by callers off the loop, so opening a call needs no answer from the loop.
    let nextCallID = Atomic<UInt64>(1)
    /// Over TLS: completes when the handshake does (set as the channel is initialized, before it connects).
    let tlsHandshake = Mutex<EventLoopFuture<Void>?>(nil)
    /// Why the connection ended (its handler's `endedBecause`), for a connect that finds it gone already: a TLS 1.3
    /// server's alert can close the channel just after the client's side of the handshake completed.
    let endedBecause = Mutex<GRPCStatus?>(nil)
}

/// One client HTTP/2 connection: owns its nghttp2 client session and its calls, on its event loop only.
/// Callers reach it through `RPCClientCallHandle`, which hops onto that loop.
/// Split by aspect: this file (channel and nghttp2 events), `+Calls` (opening, writing, finishing calls),
/// `+Output` (flushing, keepalive, closing).
final class GRPCClientConnectionHandler: ChannelDuplexHandler, NGHTTP2ClientDataSource, FlushCoalescing {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let writeChunk = 64 * 1024
    static let keepalivePingPayload: UInt64 = 0x5949_4241_4b41_4c56

    /// A class, so that `calls[id]` hands out a reference: the state machine and its request queue are mutated
    /// in place, never copied per message (a struct read out of the dictionary and stored back would copy them).
    /// Lives on the connection's event loop only, like the handler.
    final class Call {
        var machine: GRPCClientStreamStateMachine
        let request: ClientCallRequest
        var streamID: Int32?
        let headersPromise: EventLoopPromise<GRPCMetadata>
        let statusPromise: EventLoopPromise<GRPCStatus>
        let responses: RPCClientResponseStream.Producer.Source
        let outcome: RPCClientCallOutcome
        var writeWaiters: [EventLoopPromise<Void>] = []
        var deadlineTimer: Scheduled<Void>?
        /// The call's outcome is known; the entry stays only until its stream closes.
        var completed = false
        /// The caller has enough messages unread: received bytes are not credited back to the server.
        var inboundPaused = false
        var uncreditedBytes = 0

        init(machine: GRPCClientStreamStateMachine, request: ClientCallRequest,
             headersPromise: EventLoopPromise<GRPCMetadata>, statusPromise: EventLoopPromise<GRPCStatus>,
             responses: RPCClientResponseStream.Producer.Source, outcome: RPCClientCallOutcome) {
            self.machine = machine
            self.request = request
            self.headersPromise = headersPromise
            self.statusPromise = statusPromise
            self.responses = responses
            self.outcome = outcome
        }
    }

    let configuration: RPCClientConfiguration
    let authority: String
    let scheme: String
    let state: ClientConnectionState
    let eventLoop: any EventLoop
    var session: NGHTTP2ClientSession?
    var channelContext: ChannelHandlerContext?
    var calls: [UInt64: Call] = [:]
    var streamCalls: [Int32: UInt64] = [:]
    /// Calls waiting for a stream slot (server MAX_CONCURRENT_STREAMS), oldest first.
    var waiting = CircularBuffer<UInt64>()
    var openStreams = 0
    var drainedCalls: Set<UInt64> = []
    var isFlushing = false
    var flushPending = false  // see FlushCoalescing
    var flushTaskQueued = false
    var isClosing = false
    var goAwayReceived = false
    var closeRequested = false
    /// Why the connection ended, from its first tear-down (a TLS alert comes before the channel closes): later
    /// tear-downs and calls that arrive after it report this, not a bare "connection closed".
    var endedBecause: GRPCStatus?
    var lastWrite: EventLoopFuture<Void>?
    var readPending = false
    var keepaliveTimer: RepeatedTask?
    var keepaliveTimeout: Scheduled<Void>?

    init(configuration: RPCClientConfiguration, state: ClientConnectionState, eventLoop: any EventLoop) {
        self.configuration = configuration
        self.state = state
        self.eventLoop = eventLoop
        self.authority = configuration.tls?.serverName.map { "\($0):\(configuration.port)" }
            ?? "\(configuration.host):\(configuration.port)"
        self.scheme = configuration.tls == nil ? "http" : "https"
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        channelContext = context
        do {
            let session = try NGHTTP2ClientSession(
                settings: .init(maxHeaderListSize: configuration.maxHeaderListSize,
                                initialWindowSize: configuration.initialWindowSize,
                                connectionWindowSize: configuration.connectionWindowSize),
                allocator: context.channel.allocator)
            session.dataSource = self
            self.session = session
        } catch {
            state.usable.store(false, ordering: .relaxed)
            context.close(promise: nil)
            return
        }
        if context.channel.isActive {
            startKeepalive()
            flushOutput()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown(GRPCStatus(.unavailable, "connection closed"))
        session = nil
        channelContext = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        startKeepalive()
        flushOutput()  // the connection preface and our SETTINGS
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown(GRPCStatus(.unavailable, "connection to \(authority) lost"))
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, !isClosing else { return }
        do {
            try session.receive(unwrapInboundIn(data))
        } catch {
            processEvents()
            tearDown(GRPCStatus(.unavailable, "HTTP/2 protocol error from \(authority): \(error)"))
            closeAfterFlushing()
            return
        }
        processEvents()
        scheduleFlush()  // written at channelReadComplete, after every frame of this read burst is in
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if flushPending { flushOutput() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ClientCloseEvent {
            beginClose()
        } else if let failure = event as? TLSConnectionFailedEvent {
            // TLS closes the channel itself (after its alert); the calls learn the reason, not "connection lost".
            tearDown(GRPCStatus(.unavailable, "connection to \(authority) failed: \(failure.error)"))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            flushOutput()
            if readPending {
                readPending = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        // A server we cannot write to gets no reads either, so its PINGs cannot make us buffer ACKs.
        if context.channel.isWritable { context.read() } else { readPending = true }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tearDown(GRPCStatus(.unavailable, "connection to \(authority) failed: \(error)"))
        context.close(promise: nil)
    }

    // MARK: nghttp2 events

    func processEvents() {
        guard let session else { return }
        for event in session.takeEvents() {
            switch event {
            case .headers(let streamID, let fields, let isTrailers, let endStream):
                guard let id = streamCalls[streamID], let call = calls[id] else { continue }
                let action = call.machine.receiveHeaders(fields, isTrailers: isTrailers, endStream: endStream)
                perform(action, callID: id)
            case .data(let streamID, let bytes):
                let count = bytes.readableBytes
                if let id = streamCalls[streamID], let call = calls[id] {
                    let action = call.machine.receiveData(bytes)
                    perform(action, callID: id)
                }
                credit(streamID: streamID, count: count)
            case .endStream(let streamID):
                guard let id = streamCalls[streamID], let call = calls[id] else { continue }
                let action = call.machine.receiveEndStream()
                perform(action, callID: id)
            case .streamClosed(let streamID, let errorCode):
                streamClosed(streamID: streamID, errorCode: errorCode)
            case .pingAcknowledged(let opaque):
                if opaque == Self.keepalivePingPayload {
                    keepaliveTimeout?.cancel()
                    keepaliveTimeout = nil
                }
            case .goAway(let lastStreamID, _):
                // New calls go to a new connection; nghttp2 closes our streams above lastStreamID as
                // REFUSED_STREAM, which the client may retry anywhere. Waiting calls were never sent.
                goAwayReceived = true
                state.usable.store(false, ordering: .relaxed)
                _ = lastStreamID
                failWaiting(GRPCStatus.refusedStream)
            case .settingsReceived:
                openWaitingCalls()
            }
        }
    }

    func perform(_ action: GRPCClientStreamStateMachine.ResponseAction, callID: UInt64) {
        switch action {
        case .none:
            break
        case .initialMetadata(let metadata):
            guard let call = calls[callID] else { return }
            call.outcome.record(headers: metadata)
            call.headersPromise.succeed(metadata)
        case .messages(let messages):
            guard let call = calls[callID], !call.completed else { return }
            if case .stopProducing = call.responses.yield(contentsOf: messages) { call.inboundPaused = true }
        case .finished(let status):
            complete(callID: callID, status: status)
        case .fail(let status):
            if let streamID = calls[callID]?.streamID {
                session?.resetStream(streamID: streamID, errorCode: NGHTTP2_CANCEL.rawValue)
            }
            complete(callID: callID, status: status)
        }
    }

    /// Inbound flow control: received bytes go back to the server's windows unless the caller is behind.
    func credit(streamID: Int32, count: Int) {
        if let id = streamCalls[streamID], let call = calls[id], call.inboundPaused, !call.completed {
            call.uncreditedBytes += count
        } else {
            session?.consume(streamID: streamID, count: count)
        }
    }

    /// The caller drained its response buffer (or stopped reading): return the window held back.
    func inboundDemandChanged(callID: UInt64) {
        guard let call = calls[callID] else { return }
        call.inboundPaused = false
        let owed = call.uncreditedBytes
        call.uncreditedBytes = 0
        if let streamID = call.streamID { session?.consume(streamID: streamID, count: owed) }
        scheduleFlush()
    }

    func streamClosed(streamID: Int32, errorCode: UInt32) {
        openStreams -= 1
        if let id = streamCalls.removeValue(forKey: streamID), let call = calls[id] {
            if let status = call.machine.streamClosed(errorCode: errorCode) {
                complete(callID: id, status: status)
            }
            if let owed = calls[id]?.uncreditedBytes, owed > 0 { session?.consume(streamID: streamID, count: owed) }
            calls[id] = nil
            state.activeCalls.subtract(1, ordering: .relaxed)
        }
        openWaitingCalls()
        closeIfDone()
    }
}

/// Asks a client connection to finish: GOAWAY, let in-flight calls end, then close.
struct ClientCloseEvent: Sendable {}
