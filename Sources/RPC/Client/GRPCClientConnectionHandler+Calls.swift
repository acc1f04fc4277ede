import CNghttp2
import NIOCore

/// Calls on a client connection: opening streams (or queueing for a slot), request writes, ending calls.
extension GRPCClientConnectionHandler {
    /// Registers a call and opens its stream now, or once the server allows another concurrent stream.
    /// The caller prepared everything off the loop and does not wait for this.
    func open(_ opening: ClientCallOpening) {
        let id = opening.callID, request = opening.request
        let call = Call(
            machine: GRPCClientStreamStateMachine(maxMessageLength: configuration.maxReceiveMessageSize,
                                                  allocator: channelContext?.channel.allocator ?? ByteBufferAllocator()),
            request: request, headersPromise: opening.headersPromise, statusPromise: opening.statusPromise,
            responses: opening.responses, outcome: opening.outcome)
        if let message = opening.wholeRequest {
            // A single-request call: HEADERS and one DATA frame carrying END_STREAM leave together.
            _ = call.machine.enqueue(message)
            call.machine.endRequests()
        }
        calls[id] = call
        state.activeCalls.add(1, ordering: .relaxed)
        if let deadline = request.deadline {
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            call.deadlineTimer = eventLoop.scheduleTask(in: Self.timeAmount(until: deadline)) {
                bound.value.cancel(callID: id, status: GRPCStatus(.deadlineExceeded, "deadline exceeded"))
            }
        }
        if let endedBecause {
            complete(callID: id, status: GRPCStatus.notSent(endedBecause))
        } else if session == nil || isClosing || goAwayReceived || closeRequested {
            complete(callID: id, status: GRPCStatus.refusedStream)
        } else if openStreams < session!.remoteMaxConcurrentStreams {
            startStream(callID: id)
        } else if waiting.count < configuration.maxQueuedCallsPerConnection {
            waiting.append(id)
        } else {
            complete(callID: id, status: GRPCStatus(.resourceExhausted,
                "more than \(configuration.maxQueuedCallsPerConnection) calls wait for a stream on \(authority)"))
        }
        scheduleFlush()
    }

    func startStream(callID: UInt64) {
        guard let session, let call = calls[callID], !call.completed else { return }
        var headers = [
            HeaderField(name: ":method", value: "POST"),
            HeaderField(name: ":scheme", value: scheme),
            HeaderField(name: ":path", value: call.request.path),
            HeaderField(name: ":authority", value: authority),
            HeaderField(name: "content-type", value: "application/grpc"),
            HeaderField(name: "te", value: "trailers"),
            HeaderField(name: "user-agent", value: "yibao-rpc-client"),
        ]
        if let deadline = call.request.deadline {
            headers.append(HeaderField(name: "grpc-timeout", value: GRPCTimeout.encode(until: deadline)))
        }
        headers += call.request.metadata.headerFields
        do {
            let streamID = try session.submitRequest(headers: headers)
            call.streamID = streamID
            streamCalls[streamID] = callID
            openStreams += 1
        } catch {
            complete(callID: callID, status: GRPCStatus(.internal, "cannot open a stream: \(error)"))
        }
    }

    func openWaitingCalls() {
        guard let session else { return }
        while openStreams < session.remoteMaxConcurrentStreams, let id = waiting.popFirst() {
            startStream(callID: id)
        }
    }

    func failWaiting(_ status: GRPCStatus) {
        while let id = waiting.popFirst() { complete(callID: id, status: status) }
    }

    // MARK: From the caller

    /// Queues a request message; the future completes once the stream's queue is below the high watermark.
    func write(callID: UInt64, message: ByteBuffer) -> EventLoopFuture<Void> {
        guard let call = calls[callID], !call.completed else {
            return eventLoop.makeFailedFuture(CallAlreadyOver())
        }
        guard call.machine.enqueue(message) else {
            return eventLoop.makeFailedFuture(GRPCStatus(.internal, "write after the requests were finished"))
        }
        var future = eventLoop.makeSucceededVoidFuture()
        if call.machine.queuedBytes > configuration.requestBufferHighWatermark {
            let promise = eventLoop.makePromise(of: Void.self)
            call.writeWaiters.append(promise)
            future = promise.futureResult
        }
        if let streamID = call.streamID { session?.resumeData(streamID: streamID) }
        scheduleFlush()
        return future
    }

    /// The caller sent its last request message: END_STREAM follows the queued ones.
    func endRequests(callID: UInt64) {
        guard let call = calls[callID], !call.completed else { return }
        call.machine.endRequests()
        if let streamID = call.streamID { session?.resumeData(streamID: streamID) }
        scheduleFlush()
    }

    /// Ends the call locally (deadline, task cancellation): RST_STREAM(CANCEL) and this status for the caller.
    func cancel(callID: UInt64, status: GRPCStatus) {
        guard let call = calls[callID], !call.completed else { return }
        _ = call.machine.abandon()
        if let streamID = call.streamID { session?.resetStream(streamID: streamID, errorCode: NGHTTP2_CANCEL.rawValue) }
        complete(callID: callID, status: status)
        scheduleFlush()
    }

    /// The call's outcome is known: every waiter learns it. The entry lives on until its stream closes.
    func complete(callID: UInt64, status: GRPCStatus) {
        guard let call = calls[callID], !call.completed else { return }
        call.completed = true
        call.deadlineTimer?.cancel()
        call.deadlineTimer = nil
        let waiters = call.writeWaiters
        call.writeWaiters.removeAll()
        let owed = call.uncreditedBytes
        call.uncreditedBytes = 0
        call.inboundPaused = false
        if let streamID = call.streamID { session?.consume(streamID: streamID, count: owed) }
        for waiter in waiters { waiter.fail(status.code == .ok ? GRPCStatus(.cancelled, "the call is over") : status) }
        call.outcome.record(status: status)  // before the stream ends: a caller that saw the end reads it
        call.headersPromise.fail(status)  // no effect when the headers already arrived
        if status.code == .ok { call.responses.finish() } else { call.responses.finish(status) }
        call.statusPromise.succeed(status)
        if call.streamID == nil {
            // Never opened (queued, refused): nothing more will come for it.
            calls[callID] = nil
            if let index = waiting.firstIndex(of: callID) { waiting.remove(at: index) }
            state.activeCalls.subtract(1, ordering: .relaxed)
            closeIfDone()
        }
    }

    // MARK: nghttp2 pulls request DATA

    func pullRequest(streamID: Int32, maxLength: Int) -> GRPCClientStreamStateMachine.Pull {
        guard let id = streamCalls[streamID], let call = calls[id] else { return .deferred }
        if call.completed { return .deferred }
        let pulled = call.machine.pull(maxLength: maxLength)
        if !call.writeWaiters.isEmpty, call.machine.queuedBytes <= configuration.requestBufferLowWatermark {
            drainedCalls.insert(id)
        }
        return pulled
    }

    func wakeDrainedWriters() {
        for id in drainedCalls {
            guard let call = calls[id] else { continue }
            let waiters = call.writeWaiters
            call.writeWaiters.removeAll()
            for waiter in waiters { waiter.succeed() }
        }
        drainedCalls.removeAll()
    }

    /// A write after the call ended; the caller gets the call's own status instead (see `RPCClientCallHandle`).
    struct CallAlreadyOver: Error {}

    static func timeAmount(until deadline: ContinuousClock.Instant) -> TimeAmount {
        .nanoseconds(GRPCTimeout.nanoseconds(until: deadline))
    }
}

/// A call as the caller prepares it off the loop, for `GRPCClientConnectionHandler.open`.
struct ClientCallOpening: Sendable {
    var callID: UInt64
    var request: ClientCallRequest
    var responses: RPCClientResponseStream.Producer.Source
    var headersPromise: EventLoopPromise<GRPCMetadata>
    var statusPromise: EventLoopPromise<GRPCStatus>
    var outcome: RPCClientCallOutcome
    /// The one request message of a unary or server-streaming call, sent with the headers; nil for calls
    /// that stream requests.
    var wholeRequest: ByteBuffer?
}
