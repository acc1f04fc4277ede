/// The outcome of a call, sent to the client as the `grpc-status` and `grpc-message` trailers.
/// A handler throws one of these to choose the status; anything else it throws becomes UNKNOWN.
public struct GRPCStatus: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    public var message: String
    /// Trailers that came with the status (client side: the server's trailing metadata of a failed call).
    public var trailingMetadata = GRPCMetadata()
    /// Set by the client when the call provably never reached a handler (a refused stream, a connection that ended
    /// before the call was sent): the call may be retried whatever its idempotency. Never read from the wire, so no
    /// server message can make a call look unprocessed.
    public internal(set) var neverProcessed = false

    public init(_ code: Code, _ message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = GRPCStatus(.ok)

    public var description: String { "\(code) (\(code.rawValue)): \(message)" }

    /// The canonical codes of grpc/grpc doc/statuscodes.md; the raw value is what goes on the wire.
    public enum Code: Int, Sendable, Hashable, CaseIterable {
        case ok = 0
        case cancelled = 1
        case unknown = 2
        case invalidArgument = 3
        case deadlineExceeded = 4
        case notFound = 5
        case alreadyExists = 6
        case permissionDenied = 7
        case resourceExhausted = 8
        case failedPrecondition = 9
        case aborted = 10
        case outOfRange = 11
        case unimplemented = 12
        case `internal` = 13
        case unavailable = 14
        case dataLoss = 15
        case unauthenticated = 16
    }
}
