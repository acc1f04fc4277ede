import Testing
import YibaoEtcd
import YibaoProto
import YibaoTestSupport

extension EtcdLiveTests {
    /// Watch streams from a real etcd member: history replayed in order from a revision, then compaction reported.
    @Suite("etcd Watch")
    struct EtcdWatchTests {
        @Test func watchFromARevisionSeesEveryEventInOrderThenCompactionIsReported() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                try await withClient(cluster) { client in
                    var puts: [Int64] = []
                    for index in 0..<20 { puts.append(try await client.put(bytes("log/\(index)"), bytes("v\(index)"))) }
                    let revisions = puts
                    try await client.put(bytes("elsewhere"), bytes("not watched"))
                    let (_, deleteRevision) = try await client.deleteRange(.key(bytes("log/3")))

                    // Replayed from the first put: the 20 puts and the delete, in revision order, nothing else.
                    let events = try await mustComplete("watch replay") {
                        try await client.watch(prefix: bytes("log/"), fromRevision: revisions[0]) { events in
                            var seen: [Mvccpb_Event] = []
                            for try await event in events {
                                seen.append(event)
                                if seen.count == 21 { break }
                            }
                            return seen
                        }
                    }
                    #expect(events.map { $0.kv?.modRevision ?? -1 } == revisions + [deleteRevision])
                    #expect(events.prefix(20).map { $0.kv?.value ?? [] } == (0..<20).map { bytes("v\($0)") })
                    #expect(events.prefix(20).allSatisfy { $0.type == .put })
                    #expect(events.last?.type == .delete && events.last?.kv?.key == bytes("log/3"))

                    // Live events after the watch started arrive too.
                    let live = try await mustComplete("live watch") {
                        try await client.watch(prefix: bytes("live/"), fromRevision: 0) { events -> Mvccpb_Event? in
                            try await client.put(bytes("live/a"), bytes("now"))
                            for try await event in events { return event }
                            return nil
                        }
                    }
                    #expect(live?.kv?.value == bytes("now"))

                    // After compaction, a watch from before it fails with the compacted revision, and so does a read.
                    try await client.compact(revision: revisions[10], physical: true)
                    do {
                        try await mustComplete("watch at a compacted revision") {
                            try await client.watch(prefix: bytes("log/"), fromRevision: revisions[0]) { events in
                                for try await event in events { Issue.record("an event from compacted history: \(event)") }
                            }
                        }
                        Issue.record("a watch from a compacted revision was not refused")
                    } catch let error as EtcdError {
                        #expect(error == .compacted(compactRevision: revisions[10]))
                    }
                    await #expect(throws: EtcdError.compacted(compactRevision: nil)) {
                        try await client.range(.prefix(bytes("log/")), revision: revisions[0])
                    }
                    // From the compaction point on the history is still there.
                    let kept = try await mustComplete("watch at the compaction revision") {
                        try await client.watch(prefix: bytes("log/"), fromRevision: revisions[10]) { events -> Mvccpb_Event? in
                            for try await event in events { return event }
                            return nil
                        }
                    }
                    #expect(kept?.kv?.modRevision == revisions[10])
                }
            }
        }
    }
}
