import NIOCore

/// Output flushed once per event-loop tick, for the server's and the client's connection handlers alike.
/// Handler completions, caller writes and reads only mark output pending; one task queued on the loop then
/// flushes, so calls that end together (their hops sit side by side in the loop's queue) leave in one
/// socket write instead of one write syscall each. The task runs after the tasks already queued and after
/// I/O, so it starves neither; `channelReadComplete` flushes a read burst's output sooner.
protocol FlushCoalescing: AnyObject, SendableMetatype {
    var eventLoop: any EventLoop { get }
    /// Output waits in nghttp2 for the next flush; `flushOutput` clears it.
    var flushPending: Bool { get set }
    /// The end-of-tick flush task is queued on the event loop.
    var flushTaskQueued: Bool { get set }
    func flushOutput()
}

extension FlushCoalescing {
    /// On the event loop: flush at the end of this tick (once, however many ask).
    func scheduleFlush() {
        flushPending = true
        guard !flushTaskQueued else { return }
        flushTaskQueued = true
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute {
            let connection = bound.value
            connection.flushTaskQueued = false
            if connection.flushPending { connection.flushOutput() }
        }
    }
}
