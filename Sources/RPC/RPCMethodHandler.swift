import NIOCore

/// What a method does with a call. Messages are raw bytes: decoding them is the caller's business.
public enum RPCMethodHandler: Sendable {
    /// One request, one response.
    case unary(@Sendable (_ request: ByteBuffer, _ context: RPCServerContext) async throws -> ByteBuffer)
    /// One request, any number of responses written through the writer; returning ends the call with OK.
    case serverStreaming(@Sendable (_ request: ByteBuffer, _ context: RPCServerContext,
                                    _ writer: RPCResponseWriter) async throws -> Void)
    /// Any number of requests, read as they arrive; one response.
    case clientStreaming(@Sendable (_ requests: RPCRequestStream, _ context: RPCServerContext) async throws -> ByteBuffer)
    /// Requests and responses flow independently; returning ends the call with OK.
    case bidirectionalStreaming(@Sendable (_ requests: RPCRequestStream, _ context: RPCServerContext,
                                           _ writer: RPCResponseWriter) async throws -> Void)

    /// Whether the handler starts with the request headers and reads messages as a stream.
    var streamsRequests: Bool {
        switch self {
        case .unary, .serverStreaming: return false
        case .clientStreaming, .bidirectionalStreaming: return true
        }
    }
}

/// Where a method's handler tasks run.
public enum RPCHandlerPlacement: Sendable, Equatable {
    /// The server's handler executor (`RPCServerConfiguration.handlerExecutor`): any handler, however long.
    case handlerExecutor
    /// The call's own connection event loop: no thread hop to start or to answer. Only for handlers that finish in
    /// microseconds (a point read), because while one runs, the socket I/O of every connection on that loop waits.
    case connectionLoop
}

/// Maps `/package.Service/Method` paths to handlers. Built before the server starts, read-only afterwards.
public struct RPCRouter: Sendable {
    /// Paths longer than this are refused before lookup: nothing legitimate is that long.
    public static let maxPathLength = 1024

    /// A registered method: what handles it and where that runs.
    public struct Route: Sendable {
        public var handler: RPCMethodHandler
        public var placement: RPCHandlerPlacement
    }

    private var routes: [String: Route] = [:]

    public init() {}

    public mutating func register(_ path: String, _ handler: RPCMethodHandler,
                                  placement: RPCHandlerPlacement = .handlerExecutor) {
        precondition(RPCRouter.isWellFormed(path), "a gRPC path looks like /package.Service/Method: \(path)")
        routes[path] = Route(handler: handler, placement: placement)
    }

    /// Moves registered methods to another placement (the generated `register(in:)` uses the default).
    public mutating func place(_ paths: some Sequence<String>, on placement: RPCHandlerPlacement) {
        for path in paths {
            precondition(routes[path] != nil, "placing \(path), which is not registered")
            routes[path]?.placement = placement
        }
    }

    /// One look-up per call: the handler and its placement together.
    public func route(for path: String) -> Route? {
        guard path.utf8.count <= RPCRouter.maxPathLength else { return nil }
        return routes[path]
    }

    public var paths: [String] { routes.keys.sorted() }

    static func isWellFormed(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].isEmpty && !parts[1].isEmpty && !parts[2].isEmpty
            && path.utf8.count <= maxPathLength
    }
}
