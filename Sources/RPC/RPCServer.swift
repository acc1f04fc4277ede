import NIOCore
import NIOPosix
import Synchronization

/// A gRPC server over HTTP/2: TLS with ALPN h2 when `configuration.tls` is set, else prior knowledge (h2c). One nghttp2 session per accepted connection;
/// handlers run as Swift tasks off the event loops.
public final class RPCServer: Sendable {
    /// The port actually bound (useful when the configuration asked for port 0).
    public let port: Int
    public let configuration: RPCServerConfiguration

    private let listener: any Channel
    private let connections: ConnectionRegistry

    private init(listener: any Channel, port: Int, configuration: RPCServerConfiguration,
                 connections: ConnectionRegistry) {
        self.listener = listener
        self.port = port
        self.configuration = configuration
        self.connections = connections
    }

    /// Binds and starts accepting connections.
    public static func start(router: RPCRouter, configuration: RPCServerConfiguration = .init(),
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RPCServer {
        let registry = ConnectionRegistry(limit: configuration.maxConnections)
        // Built once, shared by every connection; a bad certificate or key fails here, not per client.
        let tls = try configuration.tls.map(OpenSSLServerContext.init)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard registry.admit(channel) else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let handler = GRPCServerConnectionHandler(router: router, configuration: configuration,
                                                              eventLoop: channel.eventLoop)
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(OpenSSLConnectionHandler(role: .server(tls)))
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        IdleStateHandler(readTimeout: configuration.idleTimeout), handler)
                }
            }
        let listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let server = RPCServer(listener: listener, port: listener.localAddress?.port ?? configuration.port,
                               configuration: configuration, connections: registry)
        return server
    }

    /// Open connections, for tests and monitoring.
    public var connectionCount: Int { connections.channels.withLock { $0.count } }

    /// Stops accepting, sends GOAWAY on every connection, waits for in-flight calls (at most the grace period),
    /// then closes what is left.
    public func shutdown() async {
        try? await listener.close()
        let open = connections.channels.withLock { Array($0.values) }
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

/// The set of open connections, shared by every event loop that accepts.
private final class ConnectionRegistry: Sendable {
    let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = channels.withLock { open -> Bool in
            guard open.count < limit else { return false }
            open[key] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                _ = channels.withLock { $0.removeValue(forKey: key) }
            }
        }
        return admitted
    }
}
