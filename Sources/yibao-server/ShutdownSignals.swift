import Synchronization
import Dispatch
import Glibc

/// SIGINT and SIGTERM as an async event: the first one asks for a graceful shutdown; a second one while that is
/// under way ends the process at once (exit 130), for an operator who does not want to wait for the grace period.
final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]
    let requests: AsyncStream<Int32>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        requests = stream
        let count = Mutex(0)
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)  // the dispatch source sees it; the default action would kill the process
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let seen = count.withLock { value -> Int in
                    value += 1
                    return value
                }
                if seen > 1 { _exit(130) }
                continuation.yield(number)
            }
            source.resume()
            return source
        }
    }

    static func name(_ number: Int32) -> String { number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)" }
}
