import Foundation
import Logging
import NIOCore
import NIOPosix
import YibaoCrypto
import YibaoDomain
import YibaoLedger
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
    public let audit: AuditTrail
    /// The port actually bound.
    public var port: Int { server.port }
    /// The metrics endpoint's port, when it serves one.
    public var metricsPort: Int? { metricsServer?.port }
    public let metrics: NodeMetrics

    private let server: RPCServer
    private let metricsServer: MetricsHTTPServer?
    private let handlerGroup: MultiThreadedEventLoopGroup
    private let anchoring: Task<Void, Never>

    private init(configuration: NodeConfiguration, ledger: Ledger, service: InvoiceSettlementService, audit: AuditTrail,
                 server: RPCServer, handlerGroup: MultiThreadedEventLoopGroup, metrics: NodeMetrics,
                 metricsServer: MetricsHTTPServer?) {
        self.configuration = configuration
        self.metrics = metrics
        self.metricsServer = metricsServer
        self.ledger = ledger
        self.service = service
        self.audit = audit
        self.server = server
        self.handlerGroup = handlerGroup
        let interval = configuration.auditAnchorInterval, logger = configuration.logger
        anchoring = Task {
            while (try? await Task.sleep(for: interval)) != nil {
                await Self.anchor(audit, in: ledger, logger: logger)
            }
        }
    }

    /// Puts the audit trail's head under the signed tree, so that a lost tail of the trail contradicts the ledger.
    /// Not on a damaged store, which accepts no writes (its one error is logged by `reportDamage`).
    private static func anchor(_ audit: AuditTrail, in ledger: Ledger, logger: Logger) async {
        guard ledger.damage == nil else { return }
        do {
            guard let head = try audit.head() else { return }
            if let anchored = try ledger.latestAuditAnchor(), anchored == head { return }
            _ = try await ledger.anchorAudit(head)
        } catch {
            logger.error("audit anchor failed", metadata: ["error": "\(error)"])
        }
    }

    /// Opens the ledger (creating it on an empty folder), applies the org registry, registers the services and
    /// starts listening. On failure nothing is left open.
    public static func start(_ configuration: NodeConfiguration,
                             standardServices: (inout RPCRouter) -> Void = { _ in }) async throws -> LedgerNode {
        let logger = configuration.logger
        let metrics = NodeMetrics()
        var ledgerConfiguration = InvoiceSettlementService.configuration(configuration.ledger)
        ledgerConfiguration.durable = configuration.durable
        ledgerConfiguration.metricsFactory = metrics.factory
        let ledger = try Ledger(directory: configuration.dataDirectory, nodeKey: configuration.nodeKey,
                                configuration: ledgerConfiguration)
        reportDamage(of: ledger, to: configuration.health, logger: logger)
        let handlerGroup = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.handlerThreads))
        var auditConfiguration = configuration.audit
        auditConfiguration.durable = configuration.durable
        let audit: AuditTrail
        do {
            audit = try AuditTrail(dataDirectory: configuration.dataDirectory, configuration: auditConfiguration)
        } catch {
            ledger.shutdown()
            try? await handlerGroup.shutdownGracefully()
            throw error
        }
        do {
            let service = try InvoiceSettlementService(ledger: ledger)
            if let path = configuration.orgRegistryPath, ledger.damage == nil {
                let registry = try OrgRegistryFile(path: path)
                let receipts = try await ledger.apply(registry)
                logger.info("org registry applied", metadata: ["path": "\(path)", "orgs": "\(registry.orgs.count)",
                                                               "changed": "\(receipts.count)"])
            }
            if configuration.developmentMode {
                logger.warning("DEVELOPMENT MODE: calls naming an org in yibao-org WITHOUT a signature are accepted as that org. Never run this in production.")
            }
            let handlerExecutor = EventLoopGroupTaskExecutor(group: handlerGroup)
            let router = makeRouter(configuration: configuration, service: service, audit: audit,
                                    signatureExecutor: handlerExecutor, metrics: metrics, standardServices: standardServices)
            var rpc = configuration.rpc
            rpc.host = configuration.host
            rpc.port = configuration.port
            rpc.tls = configuration.tls
            rpc.handlerExecutor = handlerExecutor
            rpc.handlersOnConnectionLoop = configuration.handlerThreads == 0
            let server = try await RPCServer.start(router: router, configuration: rpc)
            addSampledGauges(to: metrics, ledger: ledger, audit: audit, server: server)
            var metricsServer: MetricsHTTPServer?
            if let metricsPort = configuration.metricsPort {
                do {
                    metricsServer = try await MetricsHTTPServer.start(host: configuration.metricsHost, port: metricsPort,
                                                                      metrics: metrics)
                } catch {
                    await server.shutdown()
                    throw error
                }
            }
            logger.info("node listening", metadata: [
                "host": "\(configuration.host)", "port": "\(server.port)", "tls": "\(configuration.tls != nil)",
                "data": "\(configuration.dataDirectory)", "tree_size": "\(ledger.treeSize)",
                "metrics": "\(metricsServer.map { "\(configuration.metricsHost):\($0.port)" } ?? "off")",
                "start_check": "\(ledger.startCheck.mode.rawValue)", "start_check_ms": "\(Self.milliseconds(ledger.startCheck.duration))",
                "damaged": "\(ledger.damage != nil)"])
            return LedgerNode(configuration: configuration, ledger: ledger, service: service, audit: audit, server: server,
                              handlerGroup: handlerGroup, metrics: metrics, metricsServer: metricsServer)
        } catch {
            audit.shutdown()
            ledger.shutdown()
            try? await handlerGroup.shutdownGracefully()
            throw error
        }
    }

    /// The first damage the ledger finds in its store (at the start check or by a read) is logged once, as one
    /// error naming what was found, and turns every service on `health` NOT_SERVING: the node keeps answering
    /// reads it can check, and refuses writes (`Ledger.damage`).
    private static func reportDamage(of ledger: Ledger, to health: HealthStatusBoard?, logger: Logger) {
        let folder = ledger.directory
        ledger.onDamage { damage in
            logger.error("the ledger's store is damaged: writes are refused and health is NOT_SERVING; stop the node and run `yibao verify --data \(folder)`",
                         metadata: ["damage": "\(damage.error.message)", "found_by": "\(damage.foundBy.rawValue)",
                                    "data": "\(folder)"])
            health?.shutDown()  // NOT_SERVING for good, though the node keeps running
        }
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }

    /// The router of a node: the Yibao services behind `AuthenticatedRouter`, the standard services as given.
    /// Point reads run on their connection's loop (`ConnectionLoopMethods`); a signed one verifies on `signatureExecutor`.
    public static func makeRouter(configuration: NodeConfiguration, service: InvoiceSettlementService, audit: AuditTrail,
                                  signatureExecutor: (any TaskExecutor)? = nil, metrics: NodeMetrics? = nil,
                                  standardServices: (inout RPCRouter) -> Void = { _ in }) -> RPCRouter {
        let context = ServiceContext(service: service, audit: audit, logger: configuration.logger, clock: configuration.clock)
        var yibao = RPCRouter()
        NodeServices.register(context, in: &yibao)
        yibao.place(ConnectionLoopMethods.paths, on: .connectionLoop)
        let authenticator = CallAuthenticator(ledger: service.ledger, developmentMode: configuration.developmentMode,
                                              clock: configuration.clock)
        var router = RPCRouter()
        AuthenticatedRouter.register(yibao, into: &router, with: authenticator, signatureExecutor: signatureExecutor)
        // After the Yibao services, so that reflection (which lists the router's services) names them too.
        standardServices(&router)
        // Outermost, so that refused identities (UNAUTHENTICATED) are counted with the rest.
        return metrics.map { MeteredRouter.wrapping(router, factory: $0.factory) } ?? router
    }

    /// The levels a scrape reads: what waits for the ledger's writer and for the audit trail's commit.
    private static func addSampledGauges(to metrics: NodeMetrics, ledger: Ledger, audit: AuditTrail, server: RPCServer) {
        metrics.addSampledGauge(subsystem: "rpc", name: "connections", unit: "open",
                                help: "Open gRPC connections") { Double(server.connectionCount) }
        metrics.addSampledGauge(subsystem: "rpc", name: "connections_evicted", unit: "total",
                                help: "Idle connections closed to make room for a newcomer since the start") { Double(server.evictedConnectionCount) }
        metrics.addSampledGauge(subsystem: "rpc", name: "response_buffer", unit: "bytes",
                                help: "Response bytes queued for peers that have not read them yet, all connections") { Double(server.queuedResponseBytes) }
        metrics.addSampledGauge(subsystem: "ledger", name: "write_queue", unit: "records",
                                help: "Records admitted and waiting for the writer") { Double(ledger.writeQueueDepth.records) }
        metrics.addSampledGauge(subsystem: "ledger", name: "write_queue", unit: "bytes",
                                help: "Payload bytes admitted and waiting for the writer") { Double(ledger.writeQueueDepth.bytes) }
        metrics.addSampledGauge(subsystem: "ledger", name: "tree", unit: "size",
                                help: "Entries committed") { Double(ledger.treeSize) }
        metrics.addSampledGauge(subsystem: "audit", name: "backlog", unit: "events",
                                help: "Audit events waiting for their commit (their reads wait too)") { Double(audit.backlog) }
    }

    /// Stops accepting calls, lets in-flight ones finish (the transport's grace period), commits what the ledger
    /// queued, closes the store and releases the folder.
    public func shutdown() async {
        configuration.logger.info("node shutting down")
        await server.shutdown()
        await metricsServer?.shutdown()
        anchoring.cancel()
        await anchoring.value
        await Self.anchor(audit, in: ledger, logger: configuration.logger)
        // Waits for the writers to commit what is queued: blocking waits, kept off the cooperative pool.
        let ledger = self.ledger, audit = self.audit
        await withTaskExecutorPreference(EventLoopGroupTaskExecutor(group: handlerGroup)) {
            audit.shutdown()
            ledger.shutdown()
        }
        try? await handlerGroup.shutdownGracefully()
        configuration.logger.info("node stopped")
    }
}
