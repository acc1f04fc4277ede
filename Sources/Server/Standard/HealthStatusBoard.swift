import Synchronization
import YibaoProto

/// The serving status of each service, set by the node, read by `grpc.health.v1.Health`.
/// "" is the server as a whole (SERVING from the start). A name never set is unknown: Check answers NOT_FOUND,
/// Watch sends SERVICE_UNKNOWN and waits for it to appear (grpc/grpc doc/health-checking.md).
public final class HealthStatusBoard: Sendable {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: Status] = ["": .serving]
        var watchers: [String: [Int: AsyncStream<Status>.Continuation]] = [:]
        var nextWatcher = 0
        /// After `shutDown()`, updates are ignored: everything stays NOT_SERVING.
        var isTerminal = false
    }

    private let state = Mutex(State())

    public init() {}

    /// The status of `service`, nil when it was never set.
    public func status(of service: String) -> Status? {
        state.withLock { $0.statuses[service] }
    }

    /// Sets a status; watchers of `service` hear of it if it changed.
    public func setStatus(_ status: Status, for service: String) {
        state.withLock { state in
            guard !state.isTerminal else { return }
            Self.update(&state, service: service, to: status)
        }
    }

    /// Forgets a service: its watchers are told SERVICE_UNKNOWN, Check answers NOT_FOUND again.
    public func clearStatus(for service: String) {
        state.withLock { state in
            guard !state.isTerminal, state.statuses.removeValue(forKey: service) != nil else { return }
            for watcher in (state.watchers[service] ?? [:]).values { watcher.yield(.serviceUnknown) }
        }
    }

    /// The server is going away, or can no longer be trusted to serve (its store is damaged): every known service
    /// becomes NOT_SERVING for good, so load balancers stop sending.
    public func shutDown() {
        state.withLock { state in
            guard !state.isTerminal else { return }
            for service in state.statuses.keys { Self.update(&state, service: service, to: .notServing) }
            state.isTerminal = true
        }
    }

    /// The current status of `service` (SERVICE_UNKNOWN if never set), then each change. A watcher that reads
    /// slowly sees only the latest status (older ones are dropped), so a stalled client holds one value.
    public func updates(for service: String) -> AsyncStream<Status> {
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state -> Int in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[service, default: [:]][id] = continuation
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.watchers[service]?[id] = nil
                if state.watchers[service]?.isEmpty == true { state.watchers[service] = nil }
            }
        }
        return stream
    }

    /// Watchers currently open, for tests and monitoring.
    public var watcherCount: Int {
        state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } }
    }

    private static func update(_ state: inout State, service: String, to status: Status) {
        let previous = state.statuses.updateValue(status, forKey: service)
        guard previous != status else { return }
        for watcher in (state.watchers[service] ?? [:]).values { watcher.yield(status) }
    }
}
