import NIOCore

/// What handlers may queue for a peer. Three bounds, each with room to resume below it: the stream's
/// (`responseBufferHighWatermark`, resuming at the low watermark), the connection's
/// (`connectionResponseBufferLimit`, resuming at half) and the server's (`ResponseBufferBudget`, resuming at
/// half). A streaming handler's `write` waits while any is exceeded, so a peer that never reads holds at most
/// its connection's bound (and all such peers together the server's), not its streams times their watermark.
extension GRPCServerConnectionHandler {
    /// Queued response bytes changed by `delta` (positive: a handler queued; negative: sent or dropped).
    func account(_ delta: Int) {
        guard delta != 0 else { return }
        queuedResponseBytes += delta
        assert(queuedResponseBytes >= 0, "a connection sent more response bytes than were queued")
        if delta > 0 { budget.add(delta) } else { budget.release(-delta) }
    }

    /// A streaming handler that just queued must wait before its next write.
    func mustWait(_ stream: Stream) -> Bool {
        stream.machine.queuedBytes > configuration.responseBufferHighWatermark
            || queuedResponseBytes > configuration.connectionResponseBufferLimit
            || budget.isOver
    }

    /// A waiting handler may write again (below every resume mark, so it does not wake for one message).
    func mayResume(_ stream: Stream) -> Bool {
        stream.machine.queuedBytes <= configuration.responseBufferLowWatermark
            && queuedResponseBytes <= configuration.connectionResponseBufferLimit / 2
            && budget.used <= budget.limit / 2
    }

    /// Makes `stream`'s handler wait; the future completes when it may write again (or fails when the call ends).
    func blockWriter(_ stream: inout Stream, streamID: Int32) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        stream.writeWaiters.append(promise)
        blockedStreams.insert(streamID)
        if budget.isOver { waitForServerRoom() }
        return promise.futureResult
    }

    /// Wakes the handlers that may write again; called as output leaves and when the server has room again.
    func wakeWriters() {
        guard !blockedStreams.isEmpty else { return }
        for streamID in blockedStreams {
            guard var stream = streams[streamID] else {
                blockedStreams.remove(streamID)
                continue
            }
            guard mayResume(stream) else { continue }
            let waiters = stream.writeWaiters
            stream.writeWaiters.removeAll()
            streams[streamID] = stream
            blockedStreams.remove(streamID)
            for waiter in waiters { waiter.succeed() }
        }
        // Still blocked by other connections' output: be told when the server is below half again.
        if !blockedStreams.isEmpty, budget.used > budget.limit / 2 { waitForServerRoom() }
    }

    private func waitForServerRoom() {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let loop = eventLoop
        budget.notifyWhenRoom(ObjectIdentifier(self)) {
            loop.execute { bound.value.wakeWriters() }
        }
    }

    /// On the event loop: a handler asks before it produces (reads) its next messages; the future completes
    /// once a write would not wait, so a catch-up reader holds nothing while its peer does not read.
    func handlerWantsRoom(streamID: Int32) -> EventLoopFuture<Void> {
        guard var stream = streams[streamID], !stream.machine.isFinished else {
            return eventLoop.makeFailedFuture(GRPCStatus(.cancelled, "Call is over"))
        }
        guard mustWait(stream) else { return eventLoop.makeSucceededVoidFuture() }
        let waiter = blockWriter(&stream, streamID: streamID)
        streams[streamID] = stream
        return waiter
    }
}
