import Foundation
import Synchronization
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

@Suite struct LedgerWriteTests {
    @Test func newLedgerStartsWithSignedGenesisAndRegistry() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        // genesis + the hospital's registration
        #expect(f.ledger.treeSize == 2)
        let genesis = try f.ledger.entry(at: 0).decoded()
        #expect(genesis.kindNumber == EntryKind.genesis.rawValue)
        let head = try #require(try f.ledger.treeHead(atSize: 1))
        #expect(head.isValid(for: f.nodeKey.publicKey))
        #expect(f.ledger.org(LedgerFixture.org)?.role == "hospital")
    }

    @Test func receiptsPointAtTheExactEntriesAndProve() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let payloads = (0..<10).map { LedgerFixture.payload($0) }
        let receipts = try await f.submit(payloads)
        #expect(receipts.map(\.index) == Array(2..<12))
        #expect(Set(receipts.map(\.treeSize)) == [13])  // ten records, then the seal at index 12
        for (payload, receipt) in zip(payloads, receipts) {
            let stored = try f.ledger.entry(at: receipt.index)
            #expect(try stored.decoded().payload == payload)
            #expect(stored.leafHash == receipt.transactionHash)
            #expect(stored.leafHash == f.ledger.hashing.leafHash(stored.bytes))
            #expect(stored.commitTimeMs == receipt.commitTimeMs)
            #expect(try f.ledger.index(ofTransaction: receipt.transactionHash) == receipt.index)
            let proof = try f.ledger.inclusionProof(index: receipt.index, treeSize: receipt.treeSize)
            #expect(proof.verify(leafHash: receipt.transactionHash, root: try f.ledger.root(atSize: receipt.treeSize)))
        }
        #expect(try f.ledger.index(ofTransaction: HashAlgorithm.sm3.hash("nothing")) == nil)
    }

    @Test func everyCommitIsCoveredByASignedHeadThatProvesItsEntries() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        var receipts: [Receipt] = []
        for i in 0..<5 { receipts += try await f.submit([LedgerFixture.payload(i)]) }
        f.shutdown()  // signs the newest head at once and stores it
        try f.reopen()
        let finalSize = f.ledger.treeSize
        let latest = try #require(f.ledger.latestTreeHead)
        #expect(latest.head.treeSize == finalSize)
        #expect(latest.isValid(for: f.nodeKey.publicKey))
        for receipt in receipts {
            // Heads are paced, so a commit's own size may have no head; the newest covers it.
            let proof = try f.ledger.inclusionProof(index: receipt.index, treeSize: latest.head.treeSize)
            #expect(proof.verify(leafHash: receipt.transactionHash, root: latest.head.root))
            if let own = try f.ledger.treeHead(atSize: receipt.treeSize) {
                #expect(own.isValid(for: f.nodeKey.publicKey))
                #expect(own.head.root == (try f.ledger.root(atSize: receipt.treeSize)))
                let consistency = try f.ledger.consistencyProof(from: own.head.treeSize, to: latest.head.treeSize)
                #expect(consistency.verify(oldRoot: own.head.root, newRoot: latest.head.root))
            }
        }
    }

    @Test func dataSurvivesReopenAndVerifies() async throws {
        let f = try await LedgerFixture()
        let receipts = try await f.submit((0..<50).map { LedgerFixture.payload($0) })
        let rootBefore = try f.ledger.root()
        try f.reopen()
        defer { f.shutdown() }
        #expect(try f.ledger.root() == rootBefore)
        for receipt in receipts {
            #expect(try f.ledger.index(ofTransaction: receipt.transactionHash) == receipt.index)
        }
        let more = try await f.submit([LedgerFixture.payload(99)])
        #expect(more[0].index == f.ledger.treeSize - 2)
        let report = try f.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.entries == f.ledger.treeSize)
        #expect(report.seals == 2)
    }

    @Test func aSecondOpenOfTheSameFolderIsRefused() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let error = #expect(throws: LedgerError.self) {
            _ = try Ledger(directory: f.directory, nodeKey: f.nodeKey)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("already running") == true)
    }

    @Test func anotherNodeKeyIsRefused() async throws {
        let f = try await LedgerFixture()
        f.shutdown()
        let error = #expect(throws: LedgerError.self) {
            _ = try Ledger(directory: f.directory, nodeKey: SM2PrivateKey())
        }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains("genesis") == true)
        try f.reopen()
        f.shutdown()
    }

    @Test func theMapGrowsInsteadOfFailing() async throws {
        var configuration = LedgerFixture.fastConfiguration()
        configuration.initialMapSize = 256 << 10
        let f = try await LedgerFixture(configuration: configuration)
        defer { f.shutdown() }
        let startMap = f.ledger.env.mapSize
        for round in 0..<8 {
            let receipts = try await f.submit((0..<64).map { LedgerFixture.payload(round * 64 + $0, size: 8_000) })
            #expect(receipts.count == 64)
        }
        #expect(f.ledger.env.mapSize > startMap)
        #expect(try f.verify().isValid)
    }

    /// A group whose commit fails fails its callers alone: the next group, which the writer applies over the failed
    /// one until it learns of the failure, is applied again over the store as committed and lands right after it.
    @Test func aGroupWhoseCommitFailsTakesOnlyItsOwnCallersDown() async throws {
        var configuration = LedgerFixture.fastConfiguration()
        configuration.initialMapSize = 4 << 20
        configuration.maximumMapSize = 4 << 20

        let f = try await LedgerFixture(configuration: configuration)
        defer { f.shutdown() }
        let before = try await f.submit([LedgerFixture.payload(0)])
        let ledger = f.ledger
        let tooLarge = try f.batch((1...8).map { LedgerFixture.payload($0, size: 600_000) })
        let small = try f.batch((9...11).map { LedgerFixture.payload($0) })
        let full = await #expect(throws: LedgerError.self) { try await ledger.submit(tooLarge) }
        #expect(full?.code == .resourceExhausted, "a store out of room is no internal error: \(String(describing: full))")
        #expect(full?.message.hasPrefix("storage full: map at its maximum of \(4 << 20) bytes") == true, "\(String(describing: full))")
        let landed = try await ledger.submit(small).map { try $0.get() }

        // The seal of `before` is at its index + 1; nothing of the failed batch sits between.
        #expect(landed.map(\.index) == Array((before[0].index + 2)..<(before[0].index + 5)))
        for (offset, receipt) in landed.enumerated() {
            #expect(try f.ledger.entry(at: receipt.index).decoded().payload == LedgerFixture.payload(9 + offset))
        }
        #expect(try f.verify().isValid)
        try f.reopen()
        #expect(f.ledger.treeSize == before[0].index + 6)
        #expect(try f.verify().isValid)
    }

    /// A command that throws while the writer applies it fails alone. Here a retry's idempotency record names a seal
    /// that is missing (damaged state: "data loss"); the batches the writer applied in the same group before and
    /// after it land, with their own entries. Then the ledger knows its store is damaged and refuses further writes
    /// (`LedgerIntegrity`); each round reopens it, which forgets that until the damage is met again.
    @Test func aCommandThatFailsToApplyTakesOnlyItsOwnCallerDown() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let retried = try f.batch([LedgerFixture.payload(0)], requestId: "damaged")
        _ = try await f.ledger.submit(retried).map { try $0.get() }
        f.shutdown()
        let missingSeal: UInt64 = 1_000_000
        try Self.changeIdempotencyRecord(in: f.directory, org: LedgerFixture.org, requestId: "damaged") { $0.sealIndex = missingSeal }
        try f.reopen()

        for round in 0..<4 {
            let ledger = f.ledger
            let sizeBefore = ledger.treeSize
            let clean = try (0..<48).map { i in try f.batch([LedgerFixture.payload(round * 1000 + i), LedgerFixture.payload(round * 1000 + 500 + i)]) }
            // A gate holds the writer until the whole burst is queued, so that one take, and one group, holds the retry
            // with clean batches on both sides of it.
            let gate = WriterGate()
            async let gateOutcome = Self.outcome { try await gate.queue(on: ledger, requestId: "gate-\(round)") }
            // Runs before `gateOutcome` is awaited on the way out, so a failing round cannot leave the writer held.
            defer { gate.release() }
            try await gate.waitUntilHolding()
            let (results, retryError) = await withTaskGroup(of: (Int, Result<[Receipt], any Error>).self) { group in
                for (i, batch) in clean.enumerated() {
                    if i == clean.count / 2 {
                        group.addTask { (-1, await Self.outcome { try await ledger.submit(retried).map { try $0.get() } }) }
                    }
                    group.addTask { (i, await Self.outcome { try await ledger.submit(batch).map { try $0.get() } }) }
                }
                // All of it queued while the writer was held: its next take holds all of it (97 records, far below
                // a group's limit), so the retry and the clean batches on both sides of it share one group.
                let queuedTogether = await gate.open(whenQueued: 2 * clean.count + 1, in: ledger)
                #expect(queuedTogether, "round \(round): the burst was not all queued behind the gate")
                var results: [Int: [Receipt]] = [:]
                var retryError: (any Error)?
                for await (i, result) in group {
                    switch (i, result) {
                    case (-1, .failure(let error)): retryError = error
                    case (-1, .success): Issue.record("the retry of a damaged request landed")
                    case (_, .success(let receipts)): results[i] = receipts
                    case (_, .failure(let error)): Issue.record("clean batch \(i) failed with the damaged one: \(error)")
                    }
                }
                return (results, retryError)
            }
            let error = try #require(retryError as? LedgerError)
            #expect(error.code == .dataLoss)
            #expect(error.message.contains("seal entry \(missingSeal) named by request 'damaged' is missing"))
            #expect(results.count == clean.count)
            for (i, receipts) in results {
                #expect(try receipts.map { try ledger.entry(at: $0.index).decoded().payload }
                        == [LedgerFixture.payload(round * 1000 + i), LedgerFixture.payload(round * 1000 + 500 + i)])
            }
            // Two records and a seal per clean batch; nothing of the damaged retry or the gate.
            #expect(ledger.treeSize == sizeBefore + UInt64(3 * clean.count))
            if case .success = await gateOutcome { Issue.record("the gate landed") }
            #expect(ledger.damage?.error == error && ledger.damage?.foundBy == .write)
            let refused = await #expect(throws: LedgerError.self) { try await ledger.submit(try f.batch([LedgerFixture.payload(round * 1000 + 999)])) }
            #expect(refused?.code == .dataLoss && refused?.message.contains("accepts no writes") == true, "\(String(describing: refused))")
            try f.reopen()
        }
        // `verify` names the damage that was planted.
        let report = try f.verify()
        #expect(!report.isValid)
        #expect(report.firstDivergence?.reason.contains("request id record") == true)
        #expect(report.firstDivergence?.reason.contains("damaged") == true)
    }

    /// A node entry whose derived-state update throws after writing leaves nothing behind: the write is rolled back
    /// with it (it used to commit with the group, though the caller was told it failed), and a batch queued right
    /// after it lands.
    @Test func aNodeEntryThatThrowsHalfwayLeavesNoWrite() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let ledger = f.ledger
        let schema = ledger.schema
        let sizeBefore = ledger.treeSize
        async let failed = Self.outcome {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Receipt, any Error>) in
                let command = WriteCommand.nodeEntry(
                    kind: .auditAnchor, requestId: "half", payload: [1, 2, 3],
                    apply: { txn in
                        try schema.setMetaBytes(.auditAnchor, [9, 9, 9], in: txn)
                        throw LedgerError(.dataLoss, "planted: fails after writing the anchor")
                    },
                    afterCommit: {}, continuation: continuation)
                do { try ledger.queue.enqueue(command) } catch { continuation.resume(throwing: error) }
            }
        }
        let landed = try await f.submit([LedgerFixture.payload(1), LedgerFixture.payload(2)])
        guard case .failure(let thrown) = await failed else {
            Issue.record("the node entry that threw landed")
            return
        }
        let error = try #require(thrown as? LedgerError)
        #expect(error.code == .dataLoss && error.message == "planted: fails after writing the anchor")
        #expect(landed.count == 2)
        #expect(ledger.treeSize == sizeBefore + 3, "two records and a seal; nothing of the node entry")
        #expect(try ledger.env.read { try schema.metaBytes(.auditAnchor, in: $0) } == nil)
        #expect(try f.verify().isValid)
    }

    /// A node entry that blocks the writer inside its `apply` until opened, then throws (so it writes nothing):
    /// whatever is queued meanwhile goes to the writer in one take.
    private final class WriterGate: Sendable {
        private let holding = Mutex(false)
        private let opened = DispatchSemaphore(value: 0)

        func queue(on ledger: Ledger, requestId: String) async throws -> Receipt {
            try await withCheckedThrowingContinuation { continuation in
                let command = WriteCommand.nodeEntry(
                    kind: .auditAnchor, requestId: requestId, payload: [0],
                    apply: { [self] _ in
                        holding.withLock { $0 = true }
                        guard opened.wait(timeout: .now() + 60) == .success else {
                            throw LedgerError(.internal, "the gate was never opened")
                        }
                        throw LedgerError(.unavailable, "the gate writes nothing")
                    },
                    afterCommit: {}, continuation: continuation)
                do { try ledger.queue.enqueue(command) } catch { continuation.resume(throwing: error) }
            }
        }

        func waitUntilHolding() async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while !holding.withLock({ $0 }) {
                guard ContinuousClock.now < deadline else { throw LedgerError(.internal, "the writer never reached the gate") }
                try await Task.sleep(for: .milliseconds(1))
            }
        }

        /// Opens once `records` are queued behind the gate, or after 30 s; tells which.
        func open(whenQueued records: Int, in ledger: Ledger) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(30)
            while ledger.queue.depth.records < records, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(1))
            }
            let reached = ledger.queue.depth.records >= records
            opened.signal()
            return reached
        }

        /// Lets a held writer go on (again is harmless: the gate waits once).
        func release() { opened.signal() }
    }

    private static func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// Rewrites the stored idempotency record of a request, as damage to the state would.
    private static func changeIdempotencyRecord(in directory: String, org: String, requestId: String,
                                                _ change: (inout IdempotencyRecord) -> Void) throws {
        let env = try LMDBEnvironment(path: directory)
        defer { env.close() }
        let db = try env.database(named: "requests")
        let key = IdempotencyRecord.key(org: org, requestId: requestId)
        try env.write { txn in
            var record = try IdempotencyRecord(decoding: try #require(try key.withUnsafeBytes { try txn.get(db, key: $0) }))
            change(&record)
            try key.withUnsafeBytes { k in try record.encoded.withUnsafeBytes { try txn.put(db, key: k, value: $0) } }
        }
    }

    @Test func manyConcurrentWritersShareCommitsAndGetDistinctIndexes() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let ledger = f.ledger
        let batches = try (0..<64).map { i in try f.batch((0..<5).map { LedgerFixture.payload(i * 5 + $0) }) }
        let all = try await withThrowingTaskGroup(of: [Receipt].self) { group in
            for batch in batches { group.addTask { try await ledger.submit(batch).map { try $0.get() } } }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(all.count == 320)
        #expect(Set(all.map(\.index)).count == 320)
        #expect(Set(all.map(\.transactionHash)).count == 320)
        // Fewer commits than batches shows the group commit at work, but that depends on timing: only report it.
        let commits = Set(all.map(\.commitTimeMs)).count
        print("64 concurrent batches landed in commits spanning \(commits) distinct commit times")
        #expect(try f.verify().isValid)
    }
}
