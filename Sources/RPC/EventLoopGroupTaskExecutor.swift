import NIOCore

/// Runs Swift tasks on the threads of a NIO event loop group (for `RPCServerConfiguration.handlerExecutor`).
/// Why: Swift's global executor has one thread per core; code elsewhere in the process that blocks those threads
/// (a synchronous wait, a child process) would stall every handler. Handlers on their own threads keep serving.
/// Use a group of its own, not the server's I/O group: a busy handler would otherwise delay socket I/O.
public final class EventLoopGroupTaskExecutor: TaskExecutor {
    private let group: any EventLoopGroup

    public init(group: any EventLoopGroup) {
        self.group = group
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        group.any().execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
