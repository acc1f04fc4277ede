/// Where the members are and every bound the client keeps. Defaults suit etcd 3.4's own defaults
/// (docs/etcd-client.md, "Limits").
public struct EtcdClientConfiguration: Sendable {
    /// The members to talk to, in order of preference: calls go to the last one that answered and move on to
    /// the next when it is down.
    public var endpoints: [EtcdEndpoint]
    /// Each call attempt (one endpoint) fails after this long; a watch or keep-alive stream has no timeout.
    public var requestTimeout: Duration = .seconds(5)
    /// A member that does not accept a TCP connection within this long counts as down.
    public var connectTimeout: Duration = .seconds(2)
    /// Attempts of one call over all endpoints (each endpoint is tried in turn, round after round).
    public var maxAttempts = 6
    /// The wait after a whole round of endpoints failed, before the next round.
    public var roundBackoff: Duration = .milliseconds(200)
    /// Largest response accepted (a range over more bytes fails `responseTooLarge`; use a limit).
    public var maxResponseBytes = 4 << 20
    /// Largest request sent: etcd 3.4 refuses requests over `--max-request-bytes` (1.5 MiB by default); the client
    /// refuses them before sending.
    public var maxRequestBytes = 1_572_864
    /// Operations in one transaction: etcd 3.4's `--max-txn-ops` default.
    public var maxTxnOperations = 128

    public init(endpoints: [EtcdEndpoint]) {
        precondition(!endpoints.isEmpty, "an etcd client needs at least one endpoint")
        self.endpoints = endpoints
    }
}
