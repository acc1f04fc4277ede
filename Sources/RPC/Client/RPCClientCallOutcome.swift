import Synchronization

/// What a caller may read of its call without a hop onto the event loop: the response headers and the final
/// status. The connection writes them on its loop before it ends the response stream, so a caller that saw
/// the stream end finds them here; the futures on `RPCClientCallHandle` remain for callers that must wait.
final class RPCClientCallOutcome: Sendable {
    private struct State {
        var headers: GRPCMetadata?
        var status: GRPCStatus?
    }

    private let state = Mutex(State())

    var headers: GRPCMetadata? { state.withLock { $0.headers } }
    var status: GRPCStatus? { state.withLock { $0.status } }

    func record(headers: GRPCMetadata) { state.withLock { $0.headers = headers } }
    func record(status: GRPCStatus) { state.withLock { if $0.status == nil { $0.status = status } } }
}
