import Synchronization
import Testing
import YibaoEtcd
import YibaoProto
import YibaoTestSupport

extension EtcdLiveTests {
    /// Failover across members: a listed endpoint nobody serves, and a member of three killed with SIGKILL while
    /// writes go on.
    @Suite("etcd failover")
    struct EtcdFailoverTests {
        @Test func anEndpointThatIsDownIsSkipped() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                let nobody = EtcdEndpoint(port: try LoopbackPort.free())
                try await withClient(cluster, extraEndpoints: [nobody]) { client in
                    // The first endpoint refuses the connection: nothing was sent, so even a write moves on.
                    let revision = try await client.put(bytes("k"), bytes("v"))
                    #expect(try await client.get(bytes("k"))?.modRevision == revision)
                }
            }
        }

        @Test func noEndpointUpIsUnavailable() async throws {
            let endpoints = try (0..<2).map { _ in EtcdEndpoint(port: try LoopbackPort.free()) }
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: endpoints))
            do {
                _ = try await client.get(bytes("k"))
                Issue.record("a read succeeded with no member up")
            } catch {
                guard case .unavailable(let message) = error else { throw error }
                for endpoint in endpoints { #expect(message.contains("\(endpoint)")) }
            }
            await client.close()
        }

        /// Writes go on while the member the client prefers is killed: the ones that fail in flight are reported
        /// (`outcomeUnknown`, `unavailable`), later ones go to the other members, and every acknowledged put is
        /// readable afterwards.
        @Test func killingAMemberOfThreeLosesNoAcknowledgedWrite() async throws {
            try await EtcdCluster.withRunning(members: 3) { cluster in
                try await withClient(cluster) { client in
                    // Every member answers Status and names the same leader.
                    var leaders = Set<UInt64>()
                    for index in cluster.members.indices { leaders.insert(try await client.memberStatus(at: index).leader) }
                    #expect(leaders.count == 1 && !leaders.contains(0), "\(leaders)")
                    let killAfter = 40, afterKill = 60, limit = 5_000
                    let progress = WriteProgress()
                    try await mustComplete("writes through a member's crash", within: 300) {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                // Writes go on until `afterKill` more were attempted once the member is dead.
                                var index = 0
                                while index < limit {
                                    if let killedAt = progress.killedAt.withLock({ $0 }), index >= killedAt + afterKill { break }
                                    do {
                                        let revision = try await client.put(bytes("w/\(index)"), bytes("value-\(index)"))
                                        progress.acknowledged.withLock { $0[index] = revision }
                                    } catch let error as EtcdError {
                                        switch error {
                                        case .outcomeUnknown, .unavailable: progress.refused.withLock { $0.append("\(index): \(error)") }
                                        default: throw error
                                        }
                                    }
                                    index += 1
                                }
                                progress.attempted.withLock { $0 = index }
                            }
                            group.addTask {
                                while progress.acknowledged.withLock({ $0.count }) < killAfter { try await Task.sleep(for: .milliseconds(5)) }
                                // Member 0 is the client's first endpoint: the one it is writing to.
                                await cluster.kill(member: 0)
                                progress.killedAt.withLock { $0 = progress.acknowledged.withLock { $0.keys.max() ?? 0 } + 1 }
                            }
                            try await group.waitForAll()
                        }
                    }
                    let written = progress.acknowledged.withLock { $0 }
                    let failed = progress.refused.withLock { $0 }
                    let killedAt = try #require(progress.killedAt.withLock { $0 })
                    let attempted = progress.attempted.withLock { $0 }
                    #expect(written.count + failed.count == attempted)
                    #expect(!cluster.members[0].child.isRunning)
                    // Writes after the crash went through the other members; at most a few failed around it.
                    let afterCrash = written.keys.filter { $0 >= killedAt }.count
                    #expect(afterCrash >= afterKill - failed.count && afterCrash > 0, "failed: \(failed)")
                    #expect(failed.count < afterKill, "\(failed)")
                    let stored = try await client.range(.prefix(bytes("w/")))
                    let byKey = Dictionary(uniqueKeysWithValues: stored.kvs.map { (String(decoding: $0.key, as: UTF8.self), $0) })
                    for (index, revision) in written {
                        let kv = byKey["w/\(index)"]
                        #expect(kv?.value == bytes("value-\(index)") && kv?.modRevision == revision, "w/\(index)")
                    }
                    // Those in doubt are either absent or hold their value: nothing else.
                    #expect(stored.kvs.allSatisfy { $0.value == bytes("value-" + String(decoding: $0.key.dropFirst(2), as: UTF8.self)) })
                }
            }
        }
    }
}

/// What the writer saw, shared with the task that kills a member.
private final class WriteProgress: Sendable {
    /// Acknowledged puts: index -> the revision etcd gave.
    let acknowledged = Mutex<[Int: Int64]>([:])
    /// Puts that failed, with the error.
    let refused = Mutex<[String]>([])
    /// The first index written after the member was dead.
    let killedAt = Mutex<Int?>(nil)
    /// Puts attempted in all.
    let attempted = Mutex(0)
}
