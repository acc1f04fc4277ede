import YibaoProto
import YibaoRPC

/// What a range read returns.
public struct EtcdRangeResult: Sendable, Equatable {
    /// In key order (etcd's default).
    public var kvs: [Mvccpb_KeyValue]
    /// More keys are in the range than `limit` let through.
    public var more: Bool
    /// Keys in the range (unaffected by `limit`).
    public var count: Int64
    /// The store's revision the read saw.
    public var revision: Int64
}

extension EtcdClient {
    /// The keys in `range` at `revision` (0: the newest), at most `limit` of them (0: no limit). Linearizable.
    /// Fails `compacted` for a compacted revision, `futureRevision` for one not reached yet.
    public func range(_ range: EtcdKeyRange, revision: Int64 = 0, limit: Int64 = 0) async throws(EtcdError)
        -> EtcdRangeResult {
        var request = Etcdserverpb_RangeRequest()
        request.key = range.key
        request.rangeEnd = range.end
        request.revision = revision
        request.limit = limit
        try checkSize(request, "range")
        let response = try await withFailover(.read) { attempt in
            try await Etcdserverpb_KVClient(attempt.rpc).range(request, options: attempt.options)
        }
        return EtcdRangeResult(kvs: response.kvs, more: response.more, count: response.count,
                               revision: response.header?.revision ?? 0)
    }

    /// The key's current value and revisions, nil if it does not exist.
    public func get(_ key: [UInt8]) async throws(EtcdError) -> Mvccpb_KeyValue? {
        try await range(.key(key)).kvs.first
    }

    /// Sets `key` to `value` (attached to `lease`, 0: none); returns the store's revision after the write.
    @discardableResult
    public func put(_ key: [UInt8], _ value: [UInt8], lease: Int64 = 0) async throws(EtcdError) -> Int64 {
        var request = Etcdserverpb_PutRequest()
        request.key = key
        request.value = value
        request.lease = lease
        try checkSize(request, "put")
        let response = try await withFailover(.write) { attempt in
            try await Etcdserverpb_KVClient(attempt.rpc).put(request, options: attempt.options)
        }
        return response.header?.revision ?? 0
    }

    /// Deletes the keys in `range`; returns how many there were and the store's revision after the delete.
    @discardableResult
    public func deleteRange(_ range: EtcdKeyRange) async throws(EtcdError) -> (deleted: Int64, revision: Int64) {
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = range.key
        request.rangeEnd = range.end
        try checkSize(request, "delete range")
        let response = try await withFailover(.write) { attempt in
            try await Etcdserverpb_KVClient(attempt.rpc).deleteRange(request, options: attempt.options)
        }
        return (response.deleted, response.header?.revision ?? 0)
    }

    /// Discards the history before `revision`: reads and watches at older revisions fail `compacted` afterwards.
    /// `physical`: wait until the members have removed it from their databases.
    public func compact(revision: Int64, physical: Bool = false) async throws(EtcdError) {
        var request = Etcdserverpb_CompactionRequest()
        request.revision = revision
        request.physical = physical
        _ = try await withFailover(.write) { attempt in
            try await Etcdserverpb_KVClient(attempt.rpc).compact(request, options: attempt.options)
        }
    }

    /// The status of the member at `configuration.endpoints[index]` (its leader, raft index, version), asked of
    /// that member only: a health check, not a cluster-wide read.
    public func memberStatus(at index: Int) async throws(EtcdError) -> Etcdserverpb_StatusResponse {
        precondition(configuration.endpoints.indices.contains(index), "no endpoint \(index)")
        do {
            return try await Etcdserverpb_MaintenanceClient(members[index])
                .status(Etcdserverpb_StatusRequest(), options: RPCCallOptions(timeout: configuration.requestTimeout))
        } catch let status as GRPCStatus {
            switch EtcdFailure(status: status, endpoint: configuration.endpoints[index]).kind {
            case .final(let error): throw error
            case .notApplied, .ambiguous: throw .unavailable("\(configuration.endpoints[index]): \(status.message)")
            }
        } catch {
            throw .rpc(GRPCStatus(.unknown, "\(error)"))
        }
    }
}
