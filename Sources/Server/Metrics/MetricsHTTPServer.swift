import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `GET /metrics` (Prometheus text format 0.0.4) over plain HTTP/1.1 on its own port, apart from the gRPC
/// listener: a scraper never takes a gRPC connection slot, and the port can be bound to a management network
/// only. Bounded like everything else: at most `maxConnections` scrapers at once (more are closed on accept), a
/// connection idle for `idleTimeout` is closed, request bodies are discarded, headers are capped by NIOHTTP1.
public final class MetricsHTTPServer: Sendable {
    public static let maxConnections = 16
    public static let idleTimeout = TimeAmount.seconds(30)
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    public var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.channel = channel
        self.group = group
    }

    /// Listens on `host:port` (port 0: a free one, see `port`).
    public static func start(host: String, port: Int, metrics: NodeMetrics) async throws -> MetricsHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = ConnectionCount()
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 16)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    guard connections.open() else { return channel.close() }
                    channel.closeFuture.whenComplete { _ in connections.close() }
                    return channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                        let handlers: [any ChannelHandler] = [IdleStateHandler(allTimeout: idleTimeout),
                                                              MetricsRequestHandler(metrics: metrics)]
                        try channel.pipeline.syncOperations.addHandlers(handlers)
                    }
                }
                .bind(host: host, port: port).get()
            return MetricsHTTPServer(channel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// Open scraper connections, touched only on the server's one event loop.
    private final class ConnectionCount: @unchecked Sendable {
        private var count = 0
        func open() -> Bool {
            guard count < MetricsHTTPServer.maxConnections else { return false }
            count += 1
            return true
        }
        func close() { count -= 1 }
    }
}

/// One request at a time per connection: `GET /metrics` answers the exposition, `GET` of anything else 404,
/// any other method 405.
private final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: NodeMetrics
    private var request: HTTPRequestHead?

    init(metrics: NodeMetrics) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break  // a scrape has no body; whatever is sent is dropped
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (status, body, type): (HTTPResponseStatus, [UInt8], String)
        switch (head.method, head.uri.split(separator: "?").first ?? "") {
        case (.GET, "/metrics"): (status, body, type) = (.ok, metrics.exposition(), MetricsHTTPServer.contentType)
        case (.GET, _): (status, body, type) = (.notFound, Array("only /metrics is served here\n".utf8), "text/plain")
        default: (status, body, type) = (.methodNotAllowed, Array("GET /metrics\n".utf8), "text/plain")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.count))
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        if head.isKeepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
