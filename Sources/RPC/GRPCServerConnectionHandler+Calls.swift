import NIOCore

/// The handler side of a connection: starting handler tasks and taking what they hand back (on the event loop).
extension GRPCServerConnectionHandler {
    /// `request` is the single request message, or nil for methods that stream requests.
    func startHandler(streamID: Int32, request: ByteBuffer?) {
        guard let loop = channelContext?.eventLoop, var stream = streams[streamID],
              let start = stream.start, let context = stream.context else { return }
        let handle = RPCStreamHandle(connection: NIOLoopBound(self, eventLoop: loop), streamID: streamID)
        var requests: RPCRequestStream?
        if start.handler.streamsRequests {
            let (sequence, source) = RPCRequestStream.make(delegate: InboundFlowDelegate(stream: handle))
            requests = sequence
            stream.requestSource = source
        }
        let executor = start.placement == .connectionLoop ? loopExecutor : handlerExecutor
        switch start.handler {
        case .unary(let body):
            guard let request else { return }
            stream.task = Task(executorPreference: executor) {
                do {
                    let response = try await body(request, context)
                    handle.finish(response: response, status: .ok)
                } catch {
                    handle.finish(response: nil, status: RPCStreamHandle.status(for: error))
                }
            }
        case .clientStreaming(let body):
            guard let requests else { return }
            stream.task = Task(executorPreference: executor) {
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
            stream.task = Task(executorPreference: executor) {
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
            stream.task = Task(executorPreference: executor) {
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
        let before = stream.machine.queuedBytes
        let action = finishing(&stream, streamID: streamID) { try $0.send(message, initialMetadata: context.initialMetadata) }
        account(stream.machine.queuedBytes - before)
        let waiter = mustWait(stream) ? blockWriter(&stream, streamID: streamID) : nil
        streams[streamID] = stream
        submit(action, streamID: streamID)
        scheduleFlush()
        return waiter ?? loop.makeSucceededVoidFuture()
    }

    /// On the event loop: the handler's task ended.
    func handlerFinished(streamID: Int32, response: ByteBuffer?, status: GRPCStatus) {
        guard var stream = streams[streamID], let context = stream.context else { return }
        // Nobody reads the requests any more; what the client still sends is credited and dropped.
        releaseRequests(&stream, streamID: streamID, failure: nil)
        guard !stream.machine.isFinished else {
            streams[streamID] = stream  // the deadline (or a bad request) decided the call first
            return
        }
        let initial = context.initialMetadata
        let before = stream.machine.queuedBytes
        if let response, status.code == .ok {
            let action = finishing(&stream, streamID: streamID) { try $0.send(response, initialMetadata: initial) }
            streams[streamID] = stream
            submit(action, streamID: streamID)
        }
        let action = finishing(&stream, streamID: streamID) {
            try $0.finish(status, initialMetadata: initial, trailingMetadata: context.trailingMetadata)
        }
        streams[streamID] = stream
        account(stream.machine.queuedBytes - before)
        submit(action, streamID: streamID)
        scheduleFlush()
    }

    func deadlineExpired(streamID: Int32) {
        failCall(streamID: streamID, status: GRPCStatus(.deadlineExceeded, "Deadline exceeded"))
        scheduleFlush()
    }
}
