import CNghttp2
import NIOCore

/// The output side of a connection: nghttp2 submissions, DATA pulls, socket writes, and closing.
extension GRPCServerConnectionHandler {
    // MARK: Output

    func submit(_ action: GRPCServerStreamStateMachine.SendAction, streamID: Int32) {
        guard let session else { return }
        do {
            switch action {
            case .none:
                break
            case .resumeData:
                session.resumeData(streamID: streamID)
            case .submitResponse(let headers):
                try session.submitResponse(streamID: streamID, headers: headers, hasBody: true)
                responseStarted()
            case .submitTrailersOnly(let headers):
                try session.submitResponse(streamID: streamID, headers: headers, hasBody: false)
                responseStarted()
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
        if case .bytes = pulled { responseStarted() }  // DATA going out, as grpc counts it for ping strikes
        if !stream.writeWaiters.isEmpty, stream.machine.queuedBytes <= configuration.responseBufferLowWatermark {
            drainedStreams.insert(streamID)
        }
        return pulled
    }

    /// Moves nghttp2's output to the socket while the socket takes it; acts on events that sending produced.
    func flushOutput() {
        flushPending = false
        guard let context = channelContext, let session, !isFlushing, context.channel.isWritable else { return }
        isFlushing = true
        defer { isFlushing = false }
        while !isClosing {
            // Most passes end here: nothing (more) to send, so no buffer is allocated for it.
            guard session.wantsWrite || session.hasEvents else { break }
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

    func wakeDrainedWriters() {
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

    /// Streams the client opened before it saw the notice are still served: the final GOAWAY, naming the last
    /// stream taken, goes out only after a PING round trip proves the notice arrived (or after a timeout).
    func beginGracefulShutdown() {
        guard let session, shutdownPhase == .running else { return }
        shutdownPhase = .noticeSent
        session.submitShutdownNotice()
        // nghttp2 sends PINGs ahead of everything else queued, so write the notice first: the PING's ACK must
        // prove the client saw the notice. (If the socket is backed up, the fallback timer still ends it.)
        flushOutput()
        session.submitPing(opaque: GRPCServerConnectionHandler.shutdownPingPayload)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: configuration.shutdownPingTimeout) {
            bound.value.sendFinalGoAway()
        }
        flushOutput()
    }

    func sendFinalGoAway() {
        guard let session, shutdownPhase == .noticeSent else { return }
        shutdownPhase = .goAwaySent
        session.submitGoAway(errorCode: NGHTTP2_NO_ERROR.rawValue)
        flushOutput()
        closeIfDrained()
    }

    /// Closes once nghttp2 has nothing left to do (after GOAWAY both ways, or a fatal error) or, when shutting
    /// down, once the last call has ended.
    func closeIfDrained() {
        guard let context = channelContext, let session, !isClosing else { return }
        let idle = !session.wantsRead && !session.wantsWrite
        if idle || (shutdownPhase == .goAwaySent && streams.isEmpty && !session.wantsWrite) {
            closeAfterLastWrite(context)
        }
    }

    /// NIO fails writes still pending at close, so close only once the last one has completed.
    func closeAfterLastWrite(_ context: ChannelHandlerContext) {
        guard !isClosing else { return }
        isClosing = true
        guard let lastWrite else {
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        lastWrite.whenComplete { _ in bound.value.close(promise: nil) }
    }

    func closeAfterFlushing() {
        guard let context = channelContext, let session, !isClosing else { return }
        var buffer = context.channel.allocator.buffer(capacity: 1024)
        try? session.send(into: &buffer, limit: GRPCServerConnectionHandler.writeChunk)
        _ = session.takeEvents()
        if buffer.readableBytes > 0 {
            lastWrite = context.writeAndFlush(wrapOutboundOut(buffer))
        }
        closeAfterLastWrite(context)
    }

    func tearDown() {
        stopKeepalive()
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
