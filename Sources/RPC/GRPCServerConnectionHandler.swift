import CNghttp2
import NIOCore

/// Asks a connection to finish gracefully: GOAWAY, let in-flight calls end, then close.
struct GracefulShutdownEvent: Sendable {}

/// One HTTP/2 connection: owns its nghttp2 session and its calls. Everything here runs on the channel's
/// event loop; handler tasks reach it only through `RPCStreamHandle`, which hops onto that loop.
final class GRPCServerConnectionHandler: ChannelDuplexHandler, NGHTTP2DataSource {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Bytes of nghttp2 output gathered into one channel write.
    private static let writeChunk = 64 * 1024

    private struct Stream {
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

    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private var session: NGHTTP2ServerSession?
    private var channelContext: ChannelHandlerContext?
    /// Kept after the handler is removed, so late handler writes can still be answered.
    private let eventLoop: any EventLoop
    private var streams: [Int32: Stream] = [:]
    /// Streams whose queue shrank during mem_send; their waiters are woken after it returns.
    private var drainedStreams: Set<Int32> = []
    private var isFlushing = false
    private var isShuttingDown = false
    private var isClosing = false
    /// The most recent socket write; closing waits for it.
    private var lastWrite: EventLoopFuture<Void>?
    /// A `read` held back while the channel is not writable: stop reading from a peer that does not read.
    private var readPending = false

    init(router: RPCRouter, configuration: RPCServerConfiguration, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.router = router
        self.configuration = configuration
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
        if context.channel.isActive { flushOutput() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        session = nil
        channelContext = nil
    }

    func channelActive(context: ChannelHandlerContext) {
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
        processEvents()
        flushOutput()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is GracefulShutdownEvent {
            beginGracefulShutdown()
        } else if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // Silent and with no call open: the connection holds a slot for nothing.
            if streams.isEmpty { beginGracefulShutdown() }
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

    private func processEvents() {
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
            }
        }
    }

    private func receiveHeaders(streamID: Int32, fields: [HeaderField], endStream: Bool) {
        guard let loop = channelContext?.eventLoop else { return }
        var stream = streams[streamID] ?? Stream(machine: GRPCServerStreamStateMachine(
            limits: .init(maxMessageLength: configuration.maxMessageSize),
            allocator: channelContext!.channel.allocator))
        let action = stream.machine.receiveHeaders(fields, endStream: endStream, router: router)
        switch action {
        case .ignore:
            streams[streamID] = stream
        case .reject(let rejection):
            streams[streamID] = stream
            submit(.submitTrailersOnly(headers: rejection.headers), streamID: streamID)
        case .accept(let start):
            stream.start = start
            stream.context = RPCServerContext(method: start.path, requestMetadata: start.metadata,
                                              deadline: start.deadline)
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

    private func perform(_ action: GRPCServerStreamStateMachine.RequestAction, streamID: Int32) {
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
    private func credit(streamID: Int32, count: Int) {
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
        flushOutput()
    }

    /// Ends the requests of a call (if still open) and returns any window held back for them.
    private func releaseRequests(_ stream: inout Stream, streamID: Int32, failure: GRPCStatus?) {
        if let source = stream.requestSource {
            if let failure { source.finish(failure) } else { source.finish() }
        }
        stream.requestSource = nil
        stream.inboundPaused = false
        session?.consume(streamID: streamID, count: stream.uncreditedBytes)
        stream.uncreditedBytes = 0
    }

    /// The call fails now: the handler is cancelled and the client gets `status`.
    private func failCall(streamID: Int32, status: GRPCStatus) {
        guard var stream = streams[streamID] else { return }
        stream.task?.cancel()
        releaseRequests(&stream, streamID: streamID, failure: status)
        for waiter in stream.writeWaiters { waiter.fail(status) }
        stream.writeWaiters.removeAll()
        let action = stream.machine.finish(status, initialMetadata: stream.context?.initialMetadata ?? .init(),
                                           trailingMetadata: GRPCMetadata())
        streams[streamID] = stream
        submit(action, streamID: streamID)
    }

    private func streamClosed(streamID: Int32) {
        guard var stream = streams.removeValue(forKey: streamID) else { return }
        stream.machine.streamClosed()
        releaseRequests(&stream, streamID: streamID, failure: GRPCStatus(.cancelled, "Stream closed"))
        // A client RST_STREAM (or the end of the connection) cancels a handler still running.
        stream.task?.cancel()
        stream.deadlineTimer?.cancel()
        for waiter in stream.writeWaiters { waiter.fail(GRPCStatus(.cancelled, "Stream closed")) }
        closeIfDrained()
    }

    // MARK: Handlers

    /// `request` is the single request message, or nil for methods that stream requests.
    private func startHandler(streamID: Int32, request: ByteBuffer?) {
        guard let loop = channelContext?.eventLoop, var stream = streams[streamID],
              let start = stream.start, let context = stream.context else { return }
        let handle = RPCStreamHandle(connection: NIOLoopBound(self, eventLoop: loop), streamID: streamID)
        var requests: RPCRequestStream?
        if start.handler.streamsRequests {
            let (sequence, source) = RPCRequestStream.make(delegate: InboundFlowDelegate(stream: handle))
            requests = sequence
            stream.requestSource = source
        }
        switch start.handler {
        case .unary(let body):
            guard let request else { return }
            stream.task = Task {
                do {
                    let response = try await body(request, context)
                    handle.finish(response: response, status: .ok)
                } catch {
                    handle.finish(response: nil, status: RPCStreamHandle.status(for: error))
                }
            }
        case .clientStreaming(let body):
            guard let requests else { return }
            stream.task = Task {
                do {
                    let response = try await body(requests, context)
                    handle.finish(response: response, status: .ok)
                } catch {
                    handle.finish(response: nil, status: RPCStreamHandle.status(for: error))
                }
            }
        case .bidirectionalStreaming(let body):
            guard let requests else { return }
            let writer = RPCResponseWriter(stream: handle)
            stream.task = Task {
                do {
                    try await body(requests, context, writer)
                    handle.finish(response: nil, status: .ok)
                } catch {
                    handle.finish(response: nil, status: RPCStreamHandle.status(for: error))
                }
            }
        case .serverStreaming(let body):
            guard let request else { return }
            let writer = RPCResponseWriter(stream: handle)
            stream.task = Task {
                do {
                    try await body(request, context, writer)
                    handle.finish(response: nil, status: .ok)
                } catch {
                    handle.finish(response: nil, status: RPCStreamHandle.status(for: error))
                }
            }
        }
        streams[streamID] = stream
    }

    /// On the event loop: a handler wrote a message. The future completes when the handler may write again.
    func handlerWrote(streamID: Int32, message: ByteBuffer) -> EventLoopFuture<Void> {
        let loop = eventLoop
        guard var stream = streams[streamID], !stream.machine.isFinished, let context = stream.context else {
            return loop.makeFailedFuture(GRPCStatus(.cancelled, "Call is over"))
        }
        let action = stream.machine.send(message, initialMetadata: context.initialMetadata)
        var waiter: EventLoopFuture<Void>?
        if stream.machine.queuedBytes > configuration.responseBufferHighWatermark {
            let promise = loop.makePromise(of: Void.self)
            stream.writeWaiters.append(promise)
            waiter = promise.futureResult
        }
        streams[streamID] = stream
        submit(action, streamID: streamID)
        flushOutput()
        return waiter ?? loop.makeSucceededVoidFuture()
    }

    /// On the event loop: the handler's task ended.
    func handlerFinished(streamID: Int32, response: ByteBuffer?, status: GRPCStatus) {
        guard var stream = streams[streamID], let context = stream.context else { return }
        // Nobody reads the requests any more; what the client still sends is credited and dropped.
        releaseRequests(&stream, streamID: streamID, failure: nil)
        let initial = context.initialMetadata
        if let response, status.code == .ok {
            let action = stream.machine.send(response, initialMetadata: initial)
            streams[streamID] = stream
            submit(action, streamID: streamID)
        }
        let action = stream.machine.finish(status, initialMetadata: initial, trailingMetadata: context.trailingMetadata)
        streams[streamID] = stream
        submit(action, streamID: streamID)
        flushOutput()
    }

    private func deadlineExpired(streamID: Int32) {
        failCall(streamID: streamID, status: GRPCStatus(.deadlineExceeded, "Deadline exceeded"))
        flushOutput()
    }

    // MARK: Output

    private func submit(_ action: GRPCServerStreamStateMachine.SendAction, streamID: Int32) {
        guard let session else { return }
        do {
            switch action {
            case .none:
                break
            case .resumeData:
                session.resumeData(streamID: streamID)
            case .submitResponse(let headers):
                try session.submitResponse(streamID: streamID, headers: headers, hasBody: true)
            case .submitTrailersOnly(let headers):
                try session.submitResponse(streamID: streamID, headers: headers, hasBody: false)
            }
        } catch {
            session.resetStream(streamID: streamID, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
        }
    }

    /// nghttp2 pulls response DATA (from inside mem_send): hand over queued bytes, defer when there are none.
    func pull(streamID: Int32, maxLength: Int) -> GRPCServerStreamStateMachine.Pull {
        guard var stream = streams[streamID] else { return .deferred }
        let pulled = stream.machine.pull(maxLength: maxLength)
        streams[streamID] = stream
        if !stream.writeWaiters.isEmpty, stream.machine.queuedBytes <= configuration.responseBufferLowWatermark {
            drainedStreams.insert(streamID)
        }
        return pulled
    }

    /// Moves nghttp2's output to the socket while the socket takes it; acts on events that sending produced.
    private func flushOutput() {
        guard let context = channelContext, let session, !isFlushing, context.channel.isWritable else { return }
        isFlushing = true
        defer { isFlushing = false }
        while !isClosing {
            var buffer = context.channel.allocator.buffer(capacity: 16 * 1024)
            do {
                try session.send(into: &buffer, limit: GRPCServerConnectionHandler.writeChunk)
            } catch {
                closeAfterLastWrite(context)  // nghttp2 is in a fatal state; nothing more can be sent
                return
            }
            // Write before acting on events: a stream closed by this very output may lead to closing the
            // connection, and that output (say, the last trailers) must be on its way first.
            let wroteBytes = buffer.readableBytes > 0
            if wroteBytes {
                lastWrite = context.writeAndFlush(wrapOutboundOut(buffer))
            }
            wakeDrainedWriters()
            let hadEvents = session.hasEvents
            if hadEvents { processEvents() }
            if !wroteBytes && !hadEvents { break }
            // Not writable: the rest waits in nghttp2 until channelWritabilityChanged.
            if !context.channel.isWritable { break }
        }
        closeIfDrained()
    }

    private func wakeDrainedWriters() {
        for streamID in drainedStreams {
            guard var stream = streams[streamID] else { continue }
            let waiters = stream.writeWaiters
            stream.writeWaiters.removeAll()
            streams[streamID] = stream
            for waiter in waiters { waiter.succeed() }
        }
        drainedStreams.removeAll()
    }

    // MARK: Closing

    private func beginGracefulShutdown() {
        guard let session, !isShuttingDown else { return }
        isShuttingDown = true
        session.submitGoAway(errorCode: NGHTTP2_NO_ERROR.rawValue)
        flushOutput()
        closeIfDrained()
    }

    /// Closes once nghttp2 has nothing left to do (after GOAWAY both ways, or a fatal error) or, when shutting
    /// down, once the last call has ended.
    private func closeIfDrained() {
        guard let context = channelContext, let session, !isClosing else { return }
        let idle = !session.wantsRead && !session.wantsWrite
        if idle || (isShuttingDown && streams.isEmpty && !session.wantsWrite) {
            closeAfterLastWrite(context)
        }
    }

    /// NIO fails writes still pending at close, so close only once the last one has completed.
    private func closeAfterLastWrite(_ context: ChannelHandlerContext) {
        guard !isClosing else { return }
        isClosing = true
        guard let lastWrite else {
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        lastWrite.whenComplete { _ in bound.value.close(promise: nil) }
    }

    private func closeAfterFlushing() {
        guard let context = channelContext, let session, !isClosing else { return }
        var buffer = context.channel.allocator.buffer(capacity: 1024)
        try? session.send(into: &buffer, limit: GRPCServerConnectionHandler.writeChunk)
        _ = session.takeEvents()
        if buffer.readableBytes > 0 {
            lastWrite = context.writeAndFlush(wrapOutboundOut(buffer))
        }
        closeAfterLastWrite(context)
    }

    private func tearDown() {
        let open = streams
        streams.removeAll()
        for (_, stream) in open {
            stream.requestSource?.finish(GRPCStatus(.unavailable, "Connection closed"))
            stream.task?.cancel()
            stream.deadlineTimer?.cancel()
            for waiter in stream.writeWaiters { waiter.fail(GRPCStatus(.unavailable, "Connection closed")) }
        }
    }
}
