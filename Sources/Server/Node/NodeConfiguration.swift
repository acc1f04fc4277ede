import Logging
import NIOCore
import YibaoCrypto
import YibaoLedger
import YibaoRPC

/// Everything a `LedgerNode` is started from. The `yibao-server` executable fills it from flags, environment and
/// its config file; tests fill it directly. Only `dataDirectory` and `nodeKey` have no default.
public struct NodeConfiguration: Sendable {
    /// Listen address; port 0 picks a free port (`LedgerNode.port` tells which).
    public var host = "127.0.0.1"
    public var port = 50051
    /// The ledger's folder (LMDB, data key). One node per folder: a second one is refused by the folder lock.
    public var dataDirectory: String
    /// Signs tree heads and attested batches; must be the key the folder's genesis names.
    public var nodeKey: SM2PrivateKey
    /// TLS (and with `.required` client authentication, mutual TLS whose certificate CN names the org); nil: h2c.
    public var tls: TLSConfiguration?
    /// The org registry JSON (`OrgRegistryFile`), applied at every start (idempotent); nil: keep what is on the ledger.
    public var orgRegistryPath: String?
    /// Accept calls that name their org (`yibao-org`) without a signature. Loudly logged; never in production.
    public var developmentMode = false
    /// fsync every commit (LMDB durability). Off only for tests and benchmarks.
    public var durable = true
    /// Transport limits (message size, streams, connections, timeouts); `host`, `port`, `tls` and
    /// `handlerExecutor` here are overridden by the fields above and the node's own handler threads.
    public var rpc = RPCServerConfiguration()
    /// Ledger engine settings (queue capacity, batch limits, map size); the domain rules are plugged in on top.
    public var ledger = LedgerConfiguration()
    /// Threads that run handlers (and so the ledger's admission CPU work and LMDB reads), off Swift's cooperative pool.
    /// 0 runs handlers on the RPC event loops themselves (`RPCServerConfiguration.handlersOnConnectionLoop`):
    /// no thread hop per call, but a long admission delays socket I/O on its loop.
    public var handlerThreads = 2
    public var logger = Logger(label: "yibao.node")
    /// The audit trail (`<data>/audit`): reads of personal data, reads under a grant, auditor reads and refusals
    /// are recorded durably before they are answered. Its `durable` follows `durable` above.
    public var audit = AuditTrail.Configuration()
    /// How often the trail's head is anchored in the ledger (`Ledger.anchorAudit`); also at shutdown.
    public var auditAnchorInterval: Duration = .seconds(60)
    /// The Prometheus endpoint (`GET /metrics` over HTTP/1.1, `MetricsHTTPServer`) on its own port; nil: none.
    /// Port 0 picks a free one (`LedgerNode.metricsPort`).
    public var metricsHost = "127.0.0.1"
    public var metricsPort: Int?
    /// Where the node reports its health (grpc.health.v1): once the ledger finds its store damaged, every service
    /// on the board turns NOT_SERVING for good. nil: the node reports nowhere.
    public var health: HealthStatusBoard?
    /// UTC ms; request timestamps are checked against it and channel reads are dated by it.
    public var clock: @Sendable () -> UInt64 = WallClock.nowMs

    public init(dataDirectory: String, nodeKey: SM2PrivateKey) {
        self.dataDirectory = dataDirectory
        self.nodeKey = nodeKey
    }
}
