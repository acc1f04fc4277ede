import YibaoClient
import YibaoProto
import YibaoRPC

/// One unary method of the API as the CLI offers it: its subcommand, its request and response messages, and the
/// call through the generated client stub. The request JSON and the output need no code per method.
protocol APIMethod {
    associatedtype Request: ProtoMessage
    associatedtype Response: ProtoMessage
    /// The RPC name in kebab case (`issue-invoices`), so the CLI maps one to one onto the API.
    static var commandName: String { get }
    /// Short names (`issue`).
    static var aliases: [String] { get }
    static var abstract: String { get }
    static func call(_ client: RPCClient, _ request: Request, options: RPCCallOptions) async throws -> Response
    /// `.recordsRefused` when a batch answer holds a refused record.
    static func outcome(of response: Response) -> ExitStatus
}

extension APIMethod {
    static var aliases: [String] { [] }
    static func outcome(of response: Response) -> ExitStatus { .ok }
}

/// Batch writes answer per record; any refused record makes the command exit 5.
enum BatchOutcome {
    static func of(_ results: [Yibao_V1_RecordResult]) -> ExitStatus {
        results.contains { if case .error = $0.outcome { return true } else { return false } } ? .recordsRefused : .ok
    }
}
