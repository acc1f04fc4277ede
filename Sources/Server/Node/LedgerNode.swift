import Logging
import NIOCore
import NIOPosix
import YibaoCrypto
import YibaoDomain
import YibaoRPC

/// A running Yibao node: the ledger with the domain rules, the five yibao.v1 services behind identity, and the
/// RPC server. Use:
///
///     var configuration = NodeConfiguration(dataDirectory: "yibao-data", nodeKey: key)
///     configuration.orgRegistryPath = "yibao-data/orgs.json"
///     let node = try await LedgerNode.start(configuration)   // listening on node.port
///     ...
///     await node.shutdown()                                   // graceful: in-flight calls finish, queue commits
///
/// Standard services (grpc.health.v1, reflection: `Sources/Server/Standard`) are passed as `standardServices`:
/// they are registered without the Yibao identity check, next to the authenticated Yibao services.
public final class LedgerNode: Sendable {
    public let configuration: NodeConfiguration
    public let ledger: Ledger
    public let service: InvoiceSettlementService
    /// The port actually bound.
    public var port: Int { server.port }

    private let server: RPCServer
    private let handlerGroup: MultiThreadedEventLoopGroup

    private init(configuration: NodeConfiguration, ledger: Ledger, service: InvoiceSettlementService, server: RPCServer,
                 handlerGroup: MultiThreadedEventLoopGroup) {
        self.configuration = configuration
        self.ledger = ledger
        self.service = service
        self.server = server
        self.handlerGroup = handlerGroup
    }

    /// Opens the ledger (creating it on an empty folder), applies the org registry, registers the services and
    /// starts listening. On failure nothing is left open.
    public static func start(_ configuration: NodeConfiguration,
                             standardServices: (inout RPCRouter) -> Void = { _ in }) async throws -> LedgerNode {
        let logger = configuration.logger
        var ledgerConfiguration = InvoiceSettlementService.configuration(configuration.ledger)
        ledgerConfiguration.durable = configuration.durable
        let ledger = try Ledger(directory: configuration.dataDirectory, nodeKey: configuration.nodeKey,
                                configuration: ledgerConfiguration)
        let handlerGroup = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.handlerThreads))
        do {
            let service = try InvoiceSettlementService(ledger: ledger)
            if let path = configuration.orgRegistryPath {
                let registry = try OrgRegistryFile(path: path)
                let receipts = try await ledger.apply(registry)
                logger.info("org registry applied", metadata: ["path": "\(path)", "orgs": "\(registry.orgs.count)",
                                                               "changed": "\(receipts.count)"])
            }
            if configuration.developmentMode {
                logger.warning("DEVELOPMENT MODE: calls naming an org in yibao-org WITHOUT a signature are accepted as that org. Never run this in production.")
            }
            let router = makeRouter(configuration: configuration, service: service, standardServices: standardServices)
            var rpc = configuration.rpc
            rpc.host = configuration.host
            rpc.port = configuration.port
            rpc.tls = configuration.tls
            rpc.handlerExecutor = EventLoopGroupTaskExecutor(group: handlerGroup)
            let server = try await RPCServer.start(router: router, configuration: rpc)
            logger.info("node listening", metadata: [
                "host": "\(configuration.host)", "port": "\(server.port)", "tls": "\(configuration.tls != nil)",
                "data": "\(configuration.dataDirectory)", "tree_size": "\(ledger.treeSize)"])
            return LedgerNode(configuration: configuration, ledger: ledger, service: service, server: server,
                              handlerGroup: handlerGroup)
        } catch {
            ledger.shutdown()
            try? await handlerGroup.shutdownGracefully()
            throw error
        }
    }

    /// The router of a node: the Yibao services behind `AuthenticatedRouter`, the standard services as given.
    public static func makeRouter(configuration: NodeConfiguration, service: InvoiceSettlementService,
                                  standardServices: (inout RPCRouter) -> Void = { _ in }) -> RPCRouter {
        let context = ServiceContext(service: service, logger: configuration.auditLogger, clock: configuration.clock)
        var yibao = RPCRouter()
        InvoiceServiceHandler(context: context).register(in: &yibao)
        SettlementServiceHandler(context: context).register(in: &yibao)
        AccountServiceHandler(context: context).register(in: &yibao)
        AuthorizationServiceHandler(context: context).register(in: &yibao)
        LedgerServiceHandler(context: context).register(in: &yibao)
        let authenticator = CallAuthenticator(ledger: service.ledger, developmentMode: configuration.developmentMode,
                                              clock: configuration.clock)
        var router = RPCRouter()
        standardServices(&router)
        AuthenticatedRouter.register(yibao, into: &router, with: authenticator)
        return router
    }

    /// Stops accepting calls, lets in-flight ones finish (the transport's grace period), commits what the ledger
    /// queued, closes the store and releases the folder.
    public func shutdown() async {
        configuration.logger.info("node shutting down")
        await server.shutdown()
        // Waits for the writer to commit what is queued: a blocking wait, kept off the cooperative pool.
        let ledger = self.ledger
        await withTaskExecutorPreference(EventLoopGroupTaskExecutor(group: handlerGroup)) { ledger.shutdown() }
        try? await handlerGroup.shutdownGracefully()
        configuration.logger.info("node stopped")
    }
}
