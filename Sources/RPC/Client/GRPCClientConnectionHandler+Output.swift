import CNghttp2
import NIOCore

/// The output side of a client connection: socket writes, keepalive, closing.
extension GRPCClientConnectionHandler {
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
                try session.send(into: &buffer, limit: Self.writeChunk)
            } catch {
                tearDown(GRPCStatus(.unavailable, "HTTP/2 session failed: \(error)"))
                closeAfterLastWrite(context)
                return
            }
            let wroteBytes = buffer.readableBytes > 0
            if wroteBytes { lastWrite = context.writeAndFlush(wrapOutboundOut(buffer)) }
            wakeDrainedWriters()
            let hadEvents = session.hasEvents
            if hadEvents { processEvents() }
            if !wroteBytes && !hadEvents { break }
            if !context.channel.isWritable { break }
        }
        closeIfDone()
    }

    // MARK: Keepalive

    func startKeepalive() {
        guard keepaliveTimer == nil, let interval = configuration.keepaliveInterval else { return }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        keepaliveTimer = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.sendKeepalivePing()
        }
    }

    func sendKeepalivePing() {
        guard let session, !isClosing, keepaliveTimeout == nil else { return }
        session.submitPing(opaque: Self.keepalivePingPayload)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        keepaliveTimeout = eventLoop.scheduleTask(in: configuration.keepaliveTimeout) {
            let handler = bound.value
            handler.tearDown(GRPCStatus(.unavailable,
                "keepalive: \(handler.authority) did not answer a PING within \(handler.configuration.keepaliveTimeout)"))
            if let context = handler.channelContext { handler.closeAfterLastWrite(context) }
        }
        flushOutput()
    }

    // MARK: Closing

    /// Graceful: no new calls, GOAWAY to the server, close once the calls in flight have ended.
    func beginClose() {
        guard !closeRequested else { return }
        closeRequested = true
        state.usable.store(false, ordering: .relaxed)
        failWaiting(GRPCStatus(.unavailable, "client closed"))
        session?.submitGoAway()
        flushOutput()
        closeIfDone()
    }

    func closeIfDone() {
        guard let context = channelContext, let session, !isClosing else { return }
        let idle = !session.wantsRead && !session.wantsWrite
        if idle || ((closeRequested || goAwayReceived) && calls.isEmpty && !session.wantsWrite) {
            closeAfterLastWrite(context)
        }
    }

    func closeAfterLastWrite(_ context: ChannelHandlerContext) {
        guard !isClosing else { return }
        isClosing = true
        state.usable.store(false, ordering: .relaxed)
        keepaliveTimer?.cancel()
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
        try? session.send(into: &buffer, limit: Self.writeChunk)
        _ = session.takeEvents()
        if buffer.readableBytes > 0 { lastWrite = context.writeAndFlush(wrapOutboundOut(buffer)) }
        closeAfterLastWrite(context)
    }

    /// The connection is gone (or going): every call still open ends with `status`; calls whose stream
    /// never opened end as not sent, so they may be retried on another connection.
    func tearDown(_ reported: GRPCStatus) {
        let status = endedBecause ?? reported
        endedBecause = status
        state.endedBecause.withLock { $0 = status }
        state.usable.store(false, ordering: .relaxed)
        keepaliveTimer?.cancel()
        keepaliveTimer = nil
        keepaliveTimeout?.cancel()
        keepaliveTimeout = nil
        waiting.removeAll()
        for (id, call) in calls {
            complete(callID: id, status: call.streamID == nil ? GRPCStatus.notSent(status) : status)
        }
        let remaining = calls.count
        calls.removeAll()
        streamCalls.removeAll()
        state.activeCalls.subtract(remaining, ordering: .relaxed)
    }
}
