import Testing

/// The suites that start etcd members, one test at a time: each test runs its own cluster, and a handful of
/// clusters at once (each member ticking raft every 100 ms) would load a small machine running the rest of the
/// suite beside them.
@Suite("etcd, live members", .serialized)
struct EtcdLiveTests {}
