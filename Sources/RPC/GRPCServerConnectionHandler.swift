import CNghttp2
import NIOCore

/// Asks a connection to finish gracefully: GOAWAY, let in-flight calls end, then close.
struct GracefulShutdownEvent: Sendable {}

/// One HTTP/2 connection: owns its nghttp2 session and its calls. Everything here runs on the channel's
/// event loop; handler tasks reach it only through `RPCStreamHandle`, which hops onto that loop.
/// Split by aspect: this file (channel and nghttp2 events, inbound flow), `+Calls` (handler tasks),
/// `+Output` (submitting, flushing, closing), `+ResponseBuffer` (what handlers may queue), `+Management`
/// (carrying out `ServerConnectionStateMachine`: deadlines, keepalive, GOAWAY, eviction). Members are internal
/// so the aspects can share them; nothing outside these files uses them.
final class GRPCServerConnectionHandler: ChannelDuplexHandler, NGHTTP2DataSource, FlushCoalescing {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Bytes of nghttp2 output gathered into one channel write.
    static let writeChunk = 64 * 1024

    struct Stream {
        var machine: GRPCServerStreamStateMachine
        var start: GRPCServerStreamStateMachine.CallStart?
        var context: RPCServerContext?
        var task: Task<Void, Never>?
        var deadlineTimer: Scheduled<Void>?
        /// Handler writes waiting for the queue to drain below the low watermark.
        var writeWaiters: [EventLoopPromise<Void>] = []
        /// Streaming requests: where messages go, until the client half-closes or the call ends.
        var requestSource: RPCRequestStream.Producer.Source?
        /// The handler has enough messages buffered: received bytes are not credited back to the client.
        var inboundPaused = false
        /// Bytes received while paused; credited (nghttp2_session_consume) when the handler wants more.
        var uncreditedBytes = 0
    }

    let router: RPCRouter
    let configuration: RPCServerConfiguration
    var session: NGHTTP2ServerSession?
    var channelContext: ChannelHandlerContext?
    /// Kept after the handler is removed, so late handler writes can still be answered.
    let eventLoop: any EventLoop
    var streams: [Int32: Stream] = [:]
    /// Streams whose handler waits in `write` for room (its stream, its connection or the server is over its bound).
    var blockedStreams: Set<Int32> = []
    /// Response bytes queued for this connection, all streams together (`connectionResponseBufferLimit`).
    var queuedResponseBytes = 0
    /// The same, for every connection of the server.
    let budget: ResponseBufferBudget
    /// Where this connection's eviction eligibility is kept.
    let registry: ConnectionRegistry
    var isFlushing = false
    var flushPending = false  // see FlushCoalescing
    var flushTaskQueued = false
    /// Connection-level decisions (preface deadline, idle, keepalive, GOAWAY, eviction); see `+Management`.
    var management: ServerConnectionStateMachine
    var managementTimers: [ServerConnectionStateMachine.Timer: Scheduled<Void>] = [:]
    /// What the registry was last told about eviction.
    var publishedEvictionRank: ServerConnectionStateMachine.EvictionRank? = .beforePreface
    /// Complete frames nghttp2 had reported when last looked at (the idle timer counts frames, not bytes).
    var seenStreamFrames = 0
    var isClosing = false
    /// The most recent socket write; closing waits for it.
    var lastWrite: EventLoopFuture<Void>?
    /// A `read` held back while the channel is not writable: stop reading from a peer that does not read.
    var readPending = false
    /// The connection's verified client certificate, from `OpenSSLConnectionHandler` (before any request).
    var peer: TLSPeerIdentity?

    /// Where this connection's handler tasks run: `loopExecutor` for methods placed on the connection loop (or all,
    /// with `RPCServerConfiguration.handlersOnConnectionLoop`), the configured executor for the rest.
    let handlerExecutor: (any TaskExecutor)?
    let loopExecutor: any TaskExecutor

    init(router: RPCRouter, configuration: RPCServerConfiguration, eventLoop: any EventLoop,
         budget: ResponseBufferBudget, registry: ConnectionRegistry) {
        self.eventLoop = eventLoop
        self.router = router
        self.configuration = configuration
        self.budget = budget
        self.registry = registry
        management = ServerConnectionStateMachine(configuration: .init(configuration))
        // An event loop is a group of one (`any()` is itself): its jobs run in the loop's next batch of tasks,
        // with no thread wake-up, and a result needs no hop back.
        loopExecutor = EventLoopGroupTaskExecutor(group: eventLoop)
        handlerExecutor = configuration.handlersOnConnectionLoop ? loopExecutor : configuration.handlerExecutor
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        channelContext = context
        do {
            let session = try NGHTTP2ServerSession(
                settings: .init(maxConcurrentStreams: configuration.maxConcurrentStreams,
                                maxHeaderListSize: configuration.maxHeaderListSize,
                                initialWindowSize: configuration.initialWindowSize,
                                connectionWindowSize: configuration.connectionWindowSize),
                allocator: context.channel.allocator)
            session.dataSource = self
            self.session = session
        } catch {
            context.close(promise: nil)
            return
        }
        if context.channel.isActive {
            apply(management.activated(now: .now()))
            flushOutput()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        session = nil
        channelContext = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        apply(management.activated(now: .now()))
        flushOutput()  // the server connection preface: our SETTINGS
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, !isClosing else { return }
        let bytes = unwrapInboundIn(data)
        do {
            try session.receive(bytes)
        } catch {
            // Bad preface or a connection error: nghttp2 may have queued a GOAWAY; send it, then close.
            processEvents()
            closeAfterFlushing()
            return
        }
        noteStreamFrames()
        processEvents()
        scheduleFlush()  // written at channelReadComplete, after every frame of this read burst is in
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if flushPending { flushOutput() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let handshake = event as? TLSHandshakeCompletedEvent {
            peer = handshake.peer
            if handshake.peer != nil {
                management.peerVerified()
                publishEvictionRank()
            }
        } else if event is GracefulShutdownEvent {
            apply(management.beginGracefulShutdown())
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
        if context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: nghttp2 events

    func processEvents() {
        guard let session else { return }
        for event in session.takeEvents() {
            switch event {
            case .requestHeaders(let streamID, let fields, let endStream):
                receiveHeaders(streamID: streamID, fields: fields, endStream: endStream)
            case .data(let streamID, let bytes):
                let count = bytes.readableBytes
                if var stream = streams[streamID] {
                    let action = stream.machine.receiveData(bytes)
                    streams[streamID] = stream
                    perform(action, streamID: streamID)
                }
                credit(streamID: streamID, count: count)
            case .endStream(let streamID):
                guard var stream = streams[streamID] else { continue }
                let action = stream.machine.receiveEndStream()
                streams[streamID] = stream
                perform(action, streamID: streamID)
            case .streamClosed(let streamID, _):
                streamClosed(streamID: streamID)
            case .settingsReceived:
                apply(management.settingsReceived())  // publishes the eviction rank
            case .pingAcknowledged(let opaque):
                apply(management.pingAcknowledged(opaque))
            case .pingReceived:
                apply(management.clientPinged(now: .now()))
            case .responseEnded(let streamID):
                // RFC 9113 8.1: the response is complete but the client is still sending; tell it to stop
                // (NO_ERROR keeps the response valid) rather than take in a body nobody will read.
                if !session.isRemoteClosed(streamID: streamID) {
                    session.resetStream(streamID: streamID, errorCode: NGHTTP2_NO_ERROR.rawValue)
                }
            }
        }
    }

    func receiveHeaders(streamID: Int32, fields: [HeaderField], endStream: Bool) {
        guard let loop = channelContext?.eventLoop else { return }
        var stream = streams[streamID] ?? Stream(machine: GRPCServerStreamStateMachine(
            limits: .init(maxMessageLength: configuration.maxMessageSize),
            allocator: channelContext!.channel.allocator))
        let action = stream.machine.receiveHeaders(fields, endStream: endStream, router: router)
        switch action {
        case .reject(let rejection):
            streams[streamID] = stream
            submit(.submitTrailersOnly(headers: rejection.headers), streamID: streamID)
        case .accept(let start):
            management.streamOpened()
            publishEvictionRank()
            stream.start = start
            stream.context = RPCServerContext(method: start.path, requestMetadata: start.metadata,
                                              deadline: start.deadline, peer: peer)
            if let deadline = start.deadline {
                let connection = NIOLoopBound(self, eventLoop: loop)
                stream.deadlineTimer = loop.scheduleTask(deadline: deadline) {
                    connection.value.deadlineExpired(streamID: streamID)
                }
            }
            streams[streamID] = stream
            if start.handler.streamsRequests {
                startHandler(streamID: streamID, request: nil)
            }
            if endStream {
                let action = streams[streamID]!.machine.receiveEndStream()
                perform(action, streamID: streamID)
            }
        }
    }

    func perform(_ action: GRPCServerStreamStateMachine.RequestAction, streamID: Int32) {
        switch action {
        case .none:
            break
        case .reject(let rejection):
            submit(.submitTrailersOnly(headers: rejection.headers), streamID: streamID)
        case .startHandler(let request):
            startHandler(streamID: streamID, request: request)
        case .deliver(let messages):
            guard var stream = streams[streamID], let source = stream.requestSource else { return }
            switch source.yield(contentsOf: messages) {
            case .produceMore: break
            case .stopProducing: stream.inboundPaused = true
            case .dropped: stream.requestSource = nil
            }
            streams[streamID] = stream
        case .finishRequests:
            streams[streamID]?.requestSource?.finish()
            streams[streamID]?.requestSource = nil
        case .abort(let status):
            failCall(streamID: streamID, status: status)
        }
    }

    /// Inbound flow control: give received bytes back to the client's windows, unless the handler is behind.
    func credit(streamID: Int32, count: Int) {
        if var stream = streams[streamID], stream.inboundPaused {
            stream.uncreditedBytes += count
            streams[streamID] = stream
        } else {
            session?.consume(streamID: streamID, count: count)
        }
    }

    /// On the event loop: the handler drained its request buffer (`resume`) or stopped reading requests.
    func inboundDemandChanged(streamID: Int32, resume: Bool) {
        guard var stream = streams[streamID] else { return }
        if !resume { stream.requestSource = nil }
        stream.inboundPaused = false
        let owed = stream.uncreditedBytes
        stream.uncreditedBytes = 0
        streams[streamID] = stream
        session?.consume(streamID: streamID, count: owed)
        scheduleFlush()
    }

    /// Ends the requests of a call (if still open) and returns any window held back for them.
    func releaseRequests(_ stream: inout Stream, streamID: Int32, failure: GRPCStatus?) {
        if let source = stream.requestSource {
            if let failure { source.finish(failure) } else { source.finish() }
        }
        stream.requestSource = nil
        stream.inboundPaused = false
        session?.consume(streamID: streamID, count: stream.uncreditedBytes)
        stream.uncreditedBytes = 0
    }

    /// The call fails now: the handler is cancelled and the client gets `status`.
    func failCall(streamID: Int32, status: GRPCStatus) {
        // Already decided (the handler finished, or an earlier failure): a late deadline changes nothing.
        guard var stream = streams[streamID], !stream.machine.isFinished else { return }
        stream.task?.cancel()
        releaseRequests(&stream, streamID: streamID, failure: status)
        for waiter in stream.writeWaiters { waiter.fail(status) }
        stream.writeWaiters.removeAll()
        blockedStreams.remove(streamID)
        let before = stream.machine.queuedBytes
        let initial = stream.context?.initialMetadata ?? .init()
        let action = finishing(&stream, streamID: streamID) {
            try $0.finish(status, initialMetadata: initial, trailingMetadata: GRPCMetadata())
        }
        streams[streamID] = stream
        account(stream.machine.queuedBytes - before)  // an error drops the messages not yet sent
        submit(action, streamID: streamID)
        wakeWriters()
    }

    /// Runs a state machine step that may be an `InvalidTransition` (a bug, asserted in debug builds); in release
    /// the stream is reset (RST_STREAM INTERNAL_ERROR), which ends the call, rather than the step being ignored.
    func finishing(_ stream: inout Stream, streamID: Int32,
                   _ step: (inout GRPCServerStreamStateMachine) throws -> GRPCServerStreamStateMachine.SendAction)
        -> GRPCServerStreamStateMachine.SendAction {
        do {
            return try step(&stream.machine)
        } catch {
            stream.task?.cancel()
            session?.resetStream(streamID: streamID, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
            return .none
        }
    }

    func streamClosed(streamID: Int32) {
        guard var stream = streams.removeValue(forKey: streamID) else { return }
        blockedStreams.remove(streamID)
        account(-stream.machine.queuedBytes)
        stream.machine.streamClosed()
        if stream.start != nil { apply(management.streamClosed(now: .now())) }
        releaseRequests(&stream, streamID: streamID, failure: GRPCStatus(.cancelled, "Stream closed"))
        // A client RST_STREAM (or the end of the connection) cancels a handler still running.
        stream.task?.cancel()
        stream.deadlineTimer?.cancel()
        for waiter in stream.writeWaiters { waiter.fail(GRPCStatus(.cancelled, "Stream closed")) }
        wakeWriters()  // what it held is free for the connection's other streams
        closeIfDrained()
    }
}
