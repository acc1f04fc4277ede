import YibaoClient
import YibaoProto
import YibaoRPC

extension EtcdClient {
    /// Watches every key starting with `prefix` from `fromRevision` (inclusive; 0: from now on). `body` reads
    /// the events; the watch ends (its stream is reset) when `body` returns or throws.
    public func watch<Result: Sendable>(prefix: [UInt8], fromRevision: Int64 = 0, prevKV: Bool = false,
                                        _ body: (EtcdWatchEvents) async throws -> Result) async throws -> Result {
        try await watch(.prefix(prefix), fromRevision: fromRevision, prevKV: prevKV, body)
    }

    /// Watches `range` from `fromRevision`. The watch is opened at the preferred member and moves on to the next
    /// while members are down; once etcd confirms it (`created`), `body` runs and errors are the reader's
    /// (`EtcdWatchEvents`), never retried: events already read would repeat.
    public func watch<Result: Sendable>(_ range: EtcdKeyRange, fromRevision: Int64 = 0, prevKV: Bool = false,
                                        _ body: (EtcdWatchEvents) async throws -> Result) async throws -> Result {
        var create = Etcdserverpb_WatchCreateRequest()
        create.key = range.key
        create.rangeEnd = range.end
        create.startRevision = fromRevision
        create.prevKv = prevKV
        var request = Etcdserverpb_WatchRequest()
        request.requestUnion = .createRequest(create)
        try checkSize(request, "watch")
        let opening = request
        let outcome = try await withFailover(.read) { attempt -> WatchOutcome<Result> in
            try await Etcdserverpb_WatchClient(attempt.rpc).watch(requests: { writer in
                try await writer.write(opening)
                // Half-closing could end the watch: the request side stays open until the call ends (the RPC
                // client cancels this task then).
                while true { try await Task.sleep(for: .seconds(3600)) }
            }, responses: { responses in
                var iterator = responses.makeAsyncIterator()
                // Failures until etcd confirms the watch are the failover loop's (another member may take it).
                guard let first = try await iterator.next() else {
                    throw GRPCStatus(.unavailable, "the watch stream ended before etcd confirmed the watch")
                }
                do {
                    try EtcdWatchEvents.check(first)
                    return .finished(try await body(EtcdWatchEvents(responses: iterator, endpoint: attempt.endpoint)))
                } catch {
                    return .failed(error)
                }
            })
        }
        switch outcome {
        case .finished(let result): return result
        case .failed(let error): throw error
        }
    }
}

/// How a watch ended once etcd confirmed it: the reader's errors pass the failover loop unretried.
enum WatchOutcome<Result: Sendable>: Sendable {
    case finished(Result)
    case failed(any Error)
}
