import NIOCore
import NIOPosix

/// A gRPC server over HTTP/2: TLS with ALPN h2 when `configuration.tls` is set, else prior knowledge (h2c). One nghttp2 session per accepted connection;
/// handlers run as Swift tasks off the event loops.
public final class RPCServer: Sendable {
    /// The port actually bound (useful when the configuration asked for port 0).
    public let port: Int
    public let configuration: RPCServerConfiguration

    private let listener: any Channel
    private let connections: ConnectionRegistry
    private let budget: ResponseBufferBudget

    private init(listener: any Channel, port: Int, configuration: RPCServerConfiguration,
                 connections: ConnectionRegistry, budget: ResponseBufferBudget) {
        self.listener = listener
        self.port = port
        self.configuration = configuration
        self.connections = connections
        self.budget = budget
    }

    /// Binds and starts accepting connections.
    public static func start(router: RPCRouter, configuration: RPCServerConfiguration = .init(),
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RPCServer {
        let registry = ConnectionRegistry(limits: .init(maxConnections: configuration.maxConnections,
                                                        maxConnectionsPerAddress: configuration.maxConnectionsPerAddress))
        let budget = ResponseBufferBudget(limit: configuration.serverResponseBufferLimit)
        // Built once, shared by every connection; a bad certificate or key fails here, not per client.
        let tls = try configuration.tls.map(OpenSSLServerContext.init)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // What one connection may read in one event-loop turn (NIO's defaults, stated): 4 reads of at most
            // 64 KiB, so a peer that sends without pause cannot hold its loop from the other connections.
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048,
                                                                                         maximum: 64 * 1024))
            .childChannelInitializer { channel in
                guard registry.admit(channel) == .admitted else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let handler = GRPCServerConnectionHandler(router: router, configuration: configuration,
                                                              eventLoop: channel.eventLoop, budget: budget,
                                                              registry: registry)
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(OpenSSLConnectionHandler(role: .server(tls)))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let server = RPCServer(listener: listener, port: listener.localAddress?.port ?? configuration.port,
                               configuration: configuration, connections: registry, budget: budget)
        return server
    }

    /// Open connections, for tests and monitoring.
    public var connectionCount: Int { connections.count }
    /// Idle connections closed so far to make room for newcomers (see `RPCServerConfiguration.maxConnections`).
    public var evictedConnectionCount: Int { connections.evictions }
    /// Response bytes queued for peers right now, all connections together (`serverResponseBufferLimit`).
    public var queuedResponseBytes: Int { budget.used }

    /// Stops accepting, sends GOAWAY on every connection, waits for in-flight calls (at most the grace period),
    /// then closes what is left.
    public func shutdown() async {
        try? await listener.close()
        let open = connections.channels
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(GracefulShutdownEvent())
        }
        let deadline = NIODeadline.now() + configuration.shutdownGracePeriod
        for channel in open {
            let remaining = deadline - .now()
            let timeout = channel.eventLoop.scheduleTask(in: max(remaining, .zero)) {
                channel.close(promise: nil)
            }
            try? await channel.closeFuture.get()
            timeout.cancel()
        }
    }
}
