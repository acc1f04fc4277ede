import YibaoRPC

/// One failed attempt at one endpoint, classified for the failover loop: may the call move on to the next
/// endpoint, and if not, which `EtcdError` does the caller get.
struct EtcdFailure {
    enum Kind {
        /// The request provably did not reach etcd's state machine: a refused connection, a stream the server
        /// never processed, "no leader" (refused before proposing). Any call may go to the next endpoint.
        case notApplied
        /// The endpoint went away or timed out after the request was sent: reads go to the next endpoint,
        /// writes end `outcomeUnknown`.
        case ambiguous
        /// etcd answered with a definite error: the call ends with it.
        case final(EtcdError)
    }

    let kind: Kind
    let message: String

    /// etcd's messages are fixed strings (its api/v3rpc/rpctypes error.go); the code alone is not enough
    /// (UNAVAILABLE carries both "no leader" and "request timed out").
    init(status: GRPCStatus, endpoint: EtcdEndpoint) {
        message = "\(endpoint): \(status.message)"
        let text = status.message
        let failedWithoutAnswer = status.code == .unavailable || status.code == .deadlineExceeded
        switch status.code {
        case _ where failedWithoutAnswer && (status.neverProcessed || Self.beforeSending(text)):
            kind = .notApplied
        case .unavailable where text == "etcdserver: no leader":
            kind = .notApplied
        case .unavailable, .deadlineExceeded:
            // "request timed out", "leader changed", "server stopped", a connection lost mid-call.
            kind = .ambiguous
        case .outOfRange where text.hasSuffix("required revision has been compacted"):
            kind = .final(.compacted(compactRevision: nil))
        case .outOfRange where text.hasSuffix("required revision is a future revision"):
            kind = .final(.futureRevision)
        case .notFound where text.hasSuffix("requested lease not found"):
            kind = .final(.leaseNotFound)
        case .resourceExhausted where text.hasSuffix("database space exceeded"):
            kind = .final(.noSpace)
        case .resourceExhausted where text.hasSuffix("too many requests"):
            kind = .final(.tooManyRequests)
        case .resourceExhausted where text.hasPrefix("response message of"):  // the RPC client's receive limit
            kind = .final(.responseTooLarge(message))
        case .invalidArgument where text.hasPrefix("etcdserver:"):
            kind = .final(.invalidRequest(text))
        default:
            kind = .final(.rpc(status))
        }
    }

    /// The RPC client's own failures to connect (RPCClientConnectionSlot, fail-fast): nothing was sent.
    private static func beforeSending(_ text: String) -> Bool {
        text.hasPrefix("cannot connect to ") || text.hasPrefix("deadline reached while connecting to ")
            || text.hasPrefix("deadline reached while reconnecting to ") || text.hasSuffix("(before the call was sent)")
    }
}
