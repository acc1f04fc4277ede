import Testing
import YibaoEtcd
import YibaoProto
import YibaoTestSupport

extension EtcdLiveTests {
    /// Leases on a real etcd member: expiry deletes the key (seen as a watch event), keep-alive and revoke.
    @Suite("etcd Lease")
    struct EtcdLeaseTests {
        @Test func leaseExpiryDeletesTheKey() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                try await withClient(cluster) { client in
                    let lease = try await client.grantLease(ttlSeconds: 1)
                    // etcd raises a TTL below its floor (1.5 election timeouts, 2 s at the test members' defaults).
                    #expect(lease.id != 0 && lease.ttlSeconds >= 2)
                    let revision = try await client.put(bytes("member/org-a"), bytes("alive"), lease: lease.id)
                    #expect(try await client.get(bytes("member/org-a"))?.lease == lease.id)
                    let attached = try await client.leaseTimeToLive(lease.id, keys: true)
                    #expect(attached.keys == [bytes("member/org-a")] && attached.grantedTTLSeconds == lease.ttlSeconds)

                    // Not kept alive: etcd deletes the key when the lease expires; the watch sees the delete.
                    let deletion = try await mustComplete("the lease's expiry") {
                        try await client.watch(prefix: bytes("member/"), fromRevision: revision + 1) { events -> Mvccpb_Event? in
                            for try await event in events { return event }
                            return nil
                        }
                    }
                    #expect(deletion?.type == .delete && deletion?.kv?.key == bytes("member/org-a"))
                    #expect(try await client.get(bytes("member/org-a")) == nil)
                    await #expect(throws: EtcdError.leaseNotFound) { try await client.keepAliveOnce(lease.id) }
                    await #expect(throws: EtcdError.leaseNotFound) { try await client.leaseTimeToLive(lease.id) }
                }
            }
        }

        @Test func keepAliveRenewsAndRevokeDeletes() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                try await withClient(cluster) { client in
                    let lease = try await client.grantLease(ttlSeconds: 30)
                    try await client.put(bytes("held"), bytes("1"), lease: lease.id)
                    #expect(try await client.keepAliveOnce(lease.id) == lease.ttlSeconds)
                    try await client.revokeLease(lease.id)
                    #expect(try await client.get(bytes("held")) == nil)
                    await #expect(throws: EtcdError.leaseNotFound) { try await client.revokeLease(lease.id) }
                    await #expect(throws: EtcdError.leaseNotFound) { try await client.put(bytes("x"), bytes("y"), lease: lease.id) }
                }
            }
        }
    }
}
