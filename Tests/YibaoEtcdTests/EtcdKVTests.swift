import Testing
import YibaoEtcd
import YibaoProto
import YibaoTestSupport

extension EtcdLiveTests {
    /// KV and Txn against one real etcd member: what etcd stores and answers, read back through the client.
    @Suite("etcd KV")
    struct EtcdKVTests {
        @Test func putRangeDeleteRoundTrip() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                try await withClient(cluster) { client in
                    #expect(try await client.get(bytes("absent")) == nil)
                    let first = try await client.put(bytes("log/1"), bytes("one"))
                    let second = try await client.put(bytes("log/2"), [0, 0xFF, 0x80])
                    try await client.put(bytes("other"), bytes("x"))
                    #expect(second == first + 1)

                    let stored = try #require(try await client.get(bytes("log/1")))
                    #expect(stored.value == bytes("one"))
                    #expect(stored.createRevision == first && stored.modRevision == first && stored.version == 1)

                    let logs = try await client.range(.prefix(bytes("log/")))
                    #expect(logs.kvs.map(\.key) == [bytes("log/1"), bytes("log/2")])
                    #expect(logs.kvs.map(\.value) == [bytes("one"), [0, 0xFF, 0x80]])
                    #expect(logs.count == 2 && !logs.more && logs.revision == second + 1)

                    let limited = try await client.range(.prefix(bytes("log/")), limit: 1)
                    #expect(limited.kvs.count == 1 && limited.more && limited.count == 2)

                    // A read at an older revision sees the store as it was then.
                    try await client.put(bytes("log/1"), bytes("uno"))
                    let then = try await client.range(.key(bytes("log/1")), revision: first)
                    #expect(then.kvs.first?.value == bytes("one"))
                    #expect(try await client.get(bytes("log/1"))?.version == 2)

                    let deleted = try await client.deleteRange(.prefix(bytes("log/")))
                    #expect(deleted.deleted == 2)
                    #expect(try await client.range(.prefix(bytes("log/"))).kvs.isEmpty)
                    #expect(try await client.get(bytes("other"))?.value == bytes("x"))
                }
            }
        }

        /// Two proposers race for each sequence slot with "create only if absent": exactly one wins each slot, the
        /// loser is told the winner's value, and what etcd holds afterwards is the winners' values.
        @Test func racingProposersEachSlotHasExactlyOneWinner() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                try await withClient(cluster) { client in
                    let slots = 30
                    var winners: [String] = []
                    for slot in 0..<slots {
                        let key = bytes("seq/\(slot)")
                        let outcomes = try await withThrowingTaskGroup(of: (String, EtcdConditionalPut).self) { group in
                            for proposer in ["a", "b"] {
                                group.addTask { (proposer, try await client.createIfAbsent(key, bytes("\(proposer)-\(slot)"))) }
                            }
                            var outcomes: [(String, EtcdConditionalPut)] = []
                            for try await outcome in group { outcomes.append(outcome) }
                            return outcomes
                        }
                        let won = outcomes.filter { if case .written = $0.1 { true } else { false } }
                        try #require(won.count == 1, "slot \(slot): \(outcomes)")
                        let winner = won[0].0
                        winners.append("\(winner)-\(slot)")
                        for (proposer, outcome) in outcomes where proposer != winner {
                            guard case .conflict(let current, _) = outcome else {
                                Issue.record("slot \(slot): the loser got \(outcome)")
                                continue
                            }
                            #expect(current?.value == bytes("\(winner)-\(slot)"))
                        }
                    }
                    let stored = try await client.range(.prefix(bytes("seq/")))
                    #expect(stored.count == Int64(slots))
                    let byKey = Dictionary(uniqueKeysWithValues: stored.kvs.map { (String(decoding: $0.key, as: UTF8.self), $0.value) })
                    for slot in 0..<slots { #expect(byKey["seq/\(slot)"] == bytes(winners[slot])) }
                }
            }
        }

        @Test func putIfModRevisionWritesOnlyOverTheRevisionItSaw() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                try await withClient(cluster) { client in
                    guard case .written(let created) = try await client.putIfModRevision(bytes("head"), bytes("1"), expected: 0) else {
                        Issue.record("an absent key has mod revision 0")
                        return
                    }
                    let second = try await client.putIfModRevision(bytes("head"), bytes("2"), expected: created)
                    guard case .written(let secondRevision) = second else {
                        Issue.record("expected a write over revision \(created), got \(second)")
                        return
                    }
                    // A stale writer (it saw `created`) loses and is told what is there now.
                    let stale = try await client.putIfModRevision(bytes("head"), bytes("stale"), expected: created)
                    guard case .conflict(let current, _) = stale else {
                        Issue.record("a stale revision wrote: \(stale)")
                        return
                    }
                    #expect(current?.value == bytes("2") && current?.modRevision == secondRevision)
                    #expect(try await client.get(bytes("head"))?.value == bytes("2"))
                }
            }
        }

        /// etcd's refusals come back as the typed errors a caller acts on; the client's own limits refuse unsent.
        @Test func refusalsAreTyped() async throws {
            try await EtcdCluster.withRunning(members: 1) { cluster in
                try await withClient(cluster, { $0.maxRequestBytes = 64 << 10 }) { client in
                    let revision = try await client.put(bytes("k"), bytes("v"))
                    await #expect(throws: EtcdError.futureRevision) {
                        try await client.range(.key(bytes("k")), revision: revision + 1000)
                    }
                    // A key twice in one txn: etcd's "duplicate key given in txn request".
                    var put = Etcdserverpb_PutRequest()
                    put.key = bytes("dup")
                    var txn = Etcdserverpb_TxnRequest()
                    txn.success = [.with(.requestPut(put)), .with(.requestPut(put))]
                    do {
                        _ = try await client.txn(txn)
                        Issue.record("etcd accepted a key twice in one txn")
                    } catch let error as EtcdError {
                        guard case .invalidRequest(let message) = error else { throw error }
                        #expect(message.contains("duplicate key"))
                    }
                    do {
                        try await client.put(bytes("big"), [UInt8](repeating: 1, count: 65 << 10))
                        Issue.record("a put over maxRequestBytes was sent")
                    } catch let error as EtcdError {
                        guard case .requestTooLarge(let message) = error else { throw error }
                        #expect(message.contains("65536-byte limit"))
                    }
                    #expect(try await client.get(bytes("big")) == nil)
                    // An empty key: etcd's "key is not provided".
                    do {
                        try await client.put([], bytes("v"))
                        Issue.record("etcd accepted an empty key")
                    } catch let error as EtcdError {
                        guard case .invalidRequest(let message) = error else { throw error }
                        #expect(message.contains("key is not provided"))
                    }
                }
            }
        }
    }
}
