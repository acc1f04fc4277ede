import YibaoClient
import YibaoProto
import YibaoRPC

/// A granted lease: keys put with its `id` are deleted when it expires or is revoked.
public struct EtcdLease: Sendable, Equatable {
    public var id: Int64
    /// The time-to-live etcd chose (at least its minimum, about 1.5 election timeouts).
    public var ttlSeconds: Int64
}

/// A lease's remaining life.
public struct EtcdLeaseTimeToLive: Sendable, Equatable {
    public var ttlSeconds: Int64
    public var grantedTTLSeconds: Int64
    /// The keys attached, when asked for.
    public var keys: [[UInt8]]
}

extension EtcdClient {
    /// A new lease of about `ttlSeconds` (`id` 0: etcd chooses the ID).
    public func grantLease(ttlSeconds: Int64, id: Int64 = 0) async throws(EtcdError) -> EtcdLease {
        var request = Etcdserverpb_LeaseGrantRequest()
        request.ttl = ttlSeconds
        request.id = id
        let response = try await withFailover(.write) { attempt in
            try await Etcdserverpb_LeaseClient(attempt.rpc).leaseGrant(request, options: attempt.options)
        }
        guard response.error.isEmpty else { throw .invalidRequest(response.error) }
        return EtcdLease(id: response.id, ttlSeconds: response.ttl)
    }

    /// Ends the lease now; its keys are deleted. An unknown lease fails `leaseNotFound`.
    public func revokeLease(_ id: Int64) async throws(EtcdError) {
        var request = Etcdserverpb_LeaseRevokeRequest()
        request.id = id
        _ = try await withFailover(.write) { attempt in
            try await Etcdserverpb_LeaseClient(attempt.rpc).leaseRevoke(request, options: attempt.options)
        }
    }

    /// Renews the lease once (one request on a keep-alive stream); returns its new time-to-live. A lease that
    /// expired or never was fails `leaseNotFound`. Call it well within the TTL (a third of it, say) to keep it.
    public func keepAliveOnce(_ id: Int64) async throws(EtcdError) -> Int64 {
        var renewal = Etcdserverpb_LeaseKeepAliveRequest()
        renewal.id = id
        let request = renewal
        let response = try await withFailover(.read) { attempt in
            try await Etcdserverpb_LeaseClient(attempt.rpc).leaseKeepAlive(options: attempt.options, requests: { writer in
                try await writer.write(request)
                // Half-closed, etcd 3.4 may end the stream before it answers: wait until the answer came.
                while true { try await Task.sleep(for: .seconds(3600)) }
            }, responses: { responses in
                for try await response in responses { return response }
                throw GRPCStatus(.unavailable, "the keep-alive stream ended without an answer")
            })
        }
        guard response.ttl > 0 else { throw .leaseNotFound }
        return response.ttl
    }

    /// The lease's remaining time-to-live (and its keys, with `keys`). An unknown or expired lease fails
    /// `leaseNotFound`.
    public func leaseTimeToLive(_ id: Int64, keys: Bool = false) async throws(EtcdError) -> EtcdLeaseTimeToLive {
        var request = Etcdserverpb_LeaseTimeToLiveRequest()
        request.id = id
        request.keys = keys
        let response = try await withFailover(.read) { attempt in
            try await Etcdserverpb_LeaseClient(attempt.rpc).leaseTimeToLive(request, options: attempt.options)
        }
        guard response.ttl > 0 else { throw .leaseNotFound }
        return EtcdLeaseTimeToLive(ttlSeconds: response.ttl, grantedTTLSeconds: response.grantedTTL, keys: response.keys)
    }
}
