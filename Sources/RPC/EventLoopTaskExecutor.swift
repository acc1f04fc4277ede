import NIOCore

/// Runs Swift tasks on one NIO event loop: the connection's own, for `RPCServerConfiguration.handlersOnConnectionLoop`.
/// A job enqueued from that loop (a handler started while reading its request) runs in the loop's next batch of
/// tasks, with no thread wake-up, and its result needs no hop back.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
