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
                management.responseSent()
            case .submitTrailersOnly(let headers):
                try session.submitResponse(streamID: streamID, headers: headers, hasBody: false)
                management.responseSent()
            }
        } catch {
            session.resetStream(streamID: streamID, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
        }
    }

    /// nghttp2 pulls response DATA (from inside mem_send): hand over queued bytes, defer when there are none.
    func pull(streamID: Int32, maxLength: Int) -> GRPCServerStreamStateMachine.Pull {
        guard var stream = streams[streamID] else { return .deferred }
        let before = stream.machine.queuedBytes
        let pulled = stream.machine.pull(maxLength: maxLength)
        streams[streamID] = stream
        account(stream.machine.queuedBytes - before)
        if case .bytes = pulled { management.responseSent() }  // DATA going out, as grpc counts it for ping strikes
        return pulled
    }

    /// Moves nghttp2's output to the socket while the socket takes it; acts on events that sending produced.
    func flushOutput() {
        flushPending = false
        guard let context = channelContext, let session, !isFlushing, context.channel.isWritable else { return }
        isFlushing = true
        defer { isFlushing = false }
        var written = 0
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
                written += buffer.readableBytes
                lastWrite = context.writeAndFlush(wrapOutboundOut(buffer))
                wakeWriters()
            }
            let hadEvents = session.hasEvents
            if hadEvents { processEvents() }
            if !wroteBytes && !hadEvents { break }
            // Not writable: the rest waits in nghttp2 until channelWritabilityChanged.
            if !context.channel.isWritable { break }
            // This connection's share of the loop turn is used: the rest goes in a later turn, after the
            // loop's other connections have had theirs.
            if written >= configuration.maxWriteBytesPerTurn {
                if session.wantsWrite { scheduleFlush() }
                break
            }
        }
        closeIfDrained()
    }

    // MARK: Closing

    /// Closes once nghttp2 has nothing left to do (after GOAWAY both ways, or a fatal error) or, when shutting
    /// down, once the last call has ended.
    func closeIfDrained() {
        guard let context = channelContext, let session, !isClosing else { return }
        let idle = !session.wantsRead && !session.wantsWrite
        if idle || (management.isGoAwaySent && streams.isEmpty && !session.wantsWrite) {
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
        apply(management.closed())
        // What the peer never read is freed with the connection.
        let held = queuedResponseBytes
        account(-held)
        blockedStreams.removeAll()
        budget.cancelNotification(ObjectIdentifier(self))
        do {
            let open = streams
            streams.removeAll()
            for (_, stream) in open {
                stream.requestSource?.finish(GRPCStatus(.unavailable, "Connection closed"))
                stream.task?.cancel()
                stream.deadlineTimer?.cancel()
                for waiter in stream.writeWaiters { waiter.fail(GRPCStatus(.unavailable, "Connection closed")) }
            }
        }
        if held > 0 { budget.connectionClosed(holding: held) }  // after the buffers above are freed
    }
}
