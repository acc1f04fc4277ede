import YibaoRPC

/// What went wrong, in terms a caller acts on (docs/etcd-client.md, "Errors"). etcd reports its errors as gRPC
/// statuses with fixed messages ("etcdserver: ..."); `init(status:)` maps the ones a caller can act on.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The revision asked for was compacted away: a range at an old revision (`compactRevision` nil: etcd does not
    /// say), or a watch whose start was compacted (the lowest revision still kept). Start again from a snapshot.
    case compacted(compactRevision: Int64?)
    /// The revision asked for is newer than the store's.
    case futureRevision
    /// etcd ended a watch for a reason other than compaction.
    case watchCanceled(reason: String)
    /// The lease is unknown: never granted, revoked, or expired.
    case leaseNotFound
    /// No member could take the request: every endpoint was down or had no leader. Nothing was applied.
    case unavailable(String)
    /// A write reached a member but no answer came back (the member died, timed out, or lost its leader while
    /// the write was in flight): it may or may not have been applied. Read before writing again.
    case outcomeUnknown(String)
    /// etcd refused the request as malformed (too many operations, a key twice in one txn, an empty key, ...).
    case invalidRequest(String)
    /// The request is over `EtcdClientConfiguration.maxRequestBytes` (or the txn over `maxTxnOperations`); not sent.
    case requestTooLarge(String)
    /// The response is over `EtcdClientConfiguration.maxResponseBytes`.
    case responseTooLarge(String)
    /// etcd's store is full (its space quota alarm is raised): no write succeeds until it is compacted and defragmented.
    case noSpace
    /// etcd is overloaded (too many proposals pending); retry after a pause.
    case tooManyRequests
    /// Any other status (permission, authentication, an unexpected code).
    case rpc(GRPCStatus)

    public var description: String {
        switch self {
        case .compacted(let revision?): "etcd: revision compacted (the oldest kept is \(revision))"
        case .compacted(nil): "etcd: required revision has been compacted"
        case .futureRevision: "etcd: required revision is a future revision"
        case .watchCanceled(let reason): "etcd: watch canceled: \(reason)"
        case .leaseNotFound: "etcd: lease not found"
        case .unavailable(let why): "etcd unavailable: \(why)"
        case .outcomeUnknown(let why): "etcd write outcome unknown: \(why)"
        case .invalidRequest(let why): "etcd refused the request: \(why)"
        case .requestTooLarge(let why): "etcd request too large: \(why)"
        case .responseTooLarge(let why): "etcd response too large: \(why)"
        case .noSpace: "etcd: database space exceeded"
        case .tooManyRequests: "etcd: too many requests"
        case .rpc(let status): "etcd call failed: \(status)"
        }
    }
}
