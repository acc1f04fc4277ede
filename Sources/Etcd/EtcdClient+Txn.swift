import YibaoProto
import YibaoRPC

/// What a conditional write did.
public enum EtcdConditionalPut: Sendable, Equatable {
    /// The condition held and the value was written at `revision`.
    case written(revision: Int64)
    /// The condition did not hold; nothing was written. `current` is the key as it is (nil: absent), read in
    /// the same transaction, at `revision`.
    case conflict(current: Mvccpb_KeyValue?, revision: Int64)
}

extension EtcdClient {
    /// Runs a transaction as built (compares, success and failure operations). At most
    /// `maxTxnOperations` operations per branch, and `maxRequestBytes` in all, or it is refused unsent.
    public func txn(_ request: Etcdserverpb_TxnRequest) async throws(EtcdError) -> Etcdserverpb_TxnResponse {
        let operations = max(request.success.count, request.failure.count, request.compare.count)
        guard operations <= configuration.maxTxnOperations else {
            throw .requestTooLarge("txn of \(operations) operations is over the \(configuration.maxTxnOperations)-operation limit")
        }
        try checkSize(request, "txn")
        return try await withFailover(.write) { attempt in
            try await Etcdserverpb_KVClient(attempt.rpc).txn(request, options: attempt.options)
        }
    }

    /// Writes `key` only if it does not exist (its create revision is 0). Two callers racing for one key: exactly
    /// one gets `written`, the other `conflict` with the winner's value.
    public func createIfAbsent(_ key: [UInt8], _ value: [UInt8], lease: Int64 = 0) async throws(EtcdError)
        -> EtcdConditionalPut {
        var compare = Etcdserverpb_Compare()
        compare.key = key
        compare.target = .create
        compare.result = .equal
        compare.targetUnion = .createRevision(0)
        return try await conditionalPut(key, value, lease: lease, if: compare)
    }

    /// Writes `key` only if its last modification is at `expected` (0: the key does not exist).
    public func putIfModRevision(_ key: [UInt8], _ value: [UInt8], expected: Int64, lease: Int64 = 0)
        async throws(EtcdError) -> EtcdConditionalPut {
        var compare = Etcdserverpb_Compare()
        compare.key = key
        compare.target = .mod
        compare.result = .equal
        compare.targetUnion = .modRevision(expected)
        return try await conditionalPut(key, value, lease: lease, if: compare)
    }

    /// One compare, a put on success and a read of the key on failure (so a conflict says what is there).
    private func conditionalPut(_ key: [UInt8], _ value: [UInt8], lease: Int64, if compare: Etcdserverpb_Compare)
        async throws(EtcdError) -> EtcdConditionalPut {
        var put = Etcdserverpb_PutRequest()
        put.key = key
        put.value = value
        put.lease = lease
        var read = Etcdserverpb_RangeRequest()
        read.key = key
        var request = Etcdserverpb_TxnRequest()
        request.compare = [compare]
        request.success = [Etcdserverpb_RequestOp.with(.requestPut(put))]
        request.failure = [Etcdserverpb_RequestOp.with(.requestRange(read))]
        let response = try await txn(request)
        let revision = response.header?.revision ?? 0
        if response.succeeded { return .written(revision: revision) }
        guard case .responseRange(let range)? = response.responses.first?.response else {
            throw .rpc(.init(.internal, "etcd answered a failed txn without the range it was asked for"))
        }
        return .conflict(current: range.kvs.first, revision: revision)
    }
}

extension Etcdserverpb_RequestOp {
    /// An operation of a transaction.
    public static func with(_ request: Request) -> Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        op.request = request
        return op
    }
}
