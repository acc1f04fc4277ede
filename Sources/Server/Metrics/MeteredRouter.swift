import Metrics
import Synchronization
import YibaoRPC

/// Wraps every method of a router so that each call that reaches its handler is counted by method and final
/// status (`yibao_rpc_calls_total{method, code}`) and timed (`yibao_rpc_call_duration_seconds{method}`, from the
/// handler's start to its last response message or error; a stream's whole life). Calls the transport answers
/// itself (unknown method, wrong content type, over the size limit) never reach a handler and are not counted.
public enum MeteredRouter {
    public static func wrapping(_ router: RPCRouter, factory: any MetricsFactory) -> RPCRouter {
        var wrapped = RPCRouter()
        for path in router.paths {
            guard let route = router.route(for: path) else { continue }
            wrapped.register(path, wrap(route.handler, MethodMetrics(method: path, factory: factory)),
                             placement: route.placement)
        }
        return wrapped
    }

    /// One method's timer and its counters by status code: OK's made up front, so that a successful call takes no
    /// lock; the others the first time their code is seen.
    final class MethodMetrics: Sendable {
        let method: String
        let factory: any MetricsFactory
        let duration: Metrics.Timer
        private let succeeded: Counter
        private let failed = Mutex<[GRPCStatus.Code: Counter]>([:])

        init(method: String, factory: any MetricsFactory) {
            self.method = method
            self.factory = factory
            duration = Metrics.Timer(label: "yibao_rpc_call_duration_seconds", dimensions: [("method", method)], factory: factory)
            succeeded = Self.counter(method, .ok, factory)
        }

        func finished(_ code: GRPCStatus.Code, after start: ContinuousClock.Instant) {
            duration.record(duration: .now - start)
            guard code != .ok else { return succeeded.increment() }
            failed.withLock { counters in
                if let counter = counters[code] { return counter }
                let counter = Self.counter(method, code, factory)
                counters[code] = counter
                return counter
            }.increment()
        }

        private static func counter(_ method: String, _ code: GRPCStatus.Code, _ factory: any MetricsFactory) -> Counter {
            Counter(label: "yibao_rpc_calls_total", dimensions: [("method", method), ("code", code.canonicalName)], factory: factory)
        }
    }

    private static func wrap(_ handler: RPCMethodHandler, _ metrics: MethodMetrics) -> RPCMethodHandler {
        switch handler {
        case .unary(let body):
            return .unary { request, context in
                try await measured(metrics) { try await body(request, context) }
            }
        case .serverStreaming(let body):
            return .serverStreaming { request, context, writer in
                try await measured(metrics) { try await body(request, context, writer) }
            }
        case .clientStreaming(let body):
            return .clientStreaming { requests, context in
                try await measured(metrics) { try await body(requests, context) }
            }
        case .bidirectionalStreaming(let body):
            return .bidirectionalStreaming { requests, context, writer in
                try await measured(metrics) { try await body(requests, context, writer) }
            }
        }
    }

    private static func measured<T>(_ metrics: MethodMetrics, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let result = try await body()
            metrics.finished(.ok, after: start)
            return result
        } catch {
            // As the transport will answer it: a thrown status as it is, anything else UNKNOWN.
            metrics.finished((error as? GRPCStatus)?.code ?? .unknown, after: start)
            throw error
        }
    }
}
