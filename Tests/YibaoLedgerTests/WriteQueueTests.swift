import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

@Suite struct WriteQueueTests {
    private func command(records: Int) async -> (WriteCommand, Task<[RecordOutcome], Error>) {
        // A batch command whose continuation the test resumes itself.
        let box = ContinuationBox()
        let task = Task { try await withCheckedThrowingContinuation { box.set($0) } }
        let continuation = await box.get()
        let batch = PreparedBatch(org: "O", requestId: "r", entries: Array(repeating: [1], count: records),
                                  kinds: [], payloads: [], admitted: nil, leafHashes: [], refusals: [:], signature: [], authentication: nil,
                                  registration: OrgRegistration(code: "O", role: "r", publicKeyDER: []), digest: .zero,
                                  continuation: continuation)
        return (.batch(batch), task)
    }

    @Test func aFullQueueRefusesAtOnceAsOverloaded() async throws {
        let queue = WriteQueue(capacityRecords: 10, capacityBytes: 1 << 20)
        var tasks: [Task<[RecordOutcome], Error>] = []
        for _ in 0..<2 {
            let (c, t) = await command(records: 5)
            try queue.enqueue(c)
            tasks.append(t)
        }
        let (extra, extraTask) = await command(records: 1)
        #expect(throws: LedgerError(.resourceExhausted, "overloaded: the write queue holds 10 of 10 records; retry later")) {
            try queue.enqueue(extra)
        }
        // Only this refusal tells a caller to send the same batch again after a pause.
        let refusal = #expect(throws: LedgerError.self) { try queue.enqueue(extra) }
        #expect(refusal?.isOverloaded == true)
        // The check before admission gives the same answer for the same size, and none for what still fits.
        #expect(throws: LedgerError(.resourceExhausted, "overloaded: the write queue holds 10 of 10 records; retry later")) {
            try queue.checkRoom(records: 1, bytes: 1)
        }
        #expect(!LedgerError(.resourceExhausted, "storage full: MDB_MAP_FULL; nothing was written").isOverloaded)
        #expect(!LedgerError(.internal, "overloaded: not the queue's refusal").isOverloaded)
        extra.fail(LedgerError(.internal, "not queued"))
        _ = try? await extraTask.value
        // Taking work frees room; the group respects its record limit but always takes at least one command.
        let taken = try #require(queue.take(maxRecords: 7, maxBytes: 1 << 20, timeout: .zero))
        #expect(taken.count == 1)
        #expect(queue.depth.records == 5)
        #expect(throws: Never.self) { try queue.checkRoom(records: 5, bytes: 5) }
        queue.close()
        #expect(throws: LedgerError.shuttingDown) { try queue.enqueue(extra) }
        // Closed: what was queued is still handed out, then nil.
        let rest = try #require(queue.take(maxRecords: 100, maxBytes: 1 << 20, timeout: .zero))
        #expect(rest.count == 1)
        #expect(queue.take(maxRecords: 100, maxBytes: 1 << 20, timeout: .zero) == nil)
        for c in taken + rest { c.fail(LedgerError(.internal, "test over")) }
        for t in tasks { _ = try? await t.value }
    }

    @Test func aFullQueueStillGivesAMalformedBatchItsOwnRefusal() async throws {
        let queue = WriteQueue(capacityRecords: 10, capacityBytes: 1 << 20)
        let (filler, fillerTask) = await command(records: 10)
        try queue.enqueue(filler)
        let key = SM2PrivateKey()
        let published = LedgerPublishedState(size: 0)
        published.register(.init(registration: OrgRegistration(code: "H1", role: "hospital", publicKeyDER: key.publicKey.derRepresentation),
                                 publicKey: key.publicKey))
        var configuration = LedgerConfiguration()
        configuration.maxRecordsPerBatch = 5
        let admission = BatchAdmission(configuration: configuration, hashing: MerkleHashing(), published: published,
                                       dataKey: try NodeDataKey(NodeDataKey.random()), queue: queue)
        let record = LedgerRecord(kind: .attestation, payload: [1, 2, 3])
        // Waiting would not cure these, so they are not answered "overloaded".
        let tooMany = try SignedBatch.signing(org: "H1", requestId: "r1", records: Array(repeating: record, count: 6), key: key)
        #expect(throws: LedgerError(.invalidArgument, "records: the batch holds 6 records; the limit is 5")) { try admission.admit(tooMany) }
        let stranger = try SignedBatch.signing(org: "H2", requestId: "r2", records: [record], key: key)
        #expect(throws: LedgerError(.unauthenticated, "org H2 is not in the registry")) { try admission.admit(stranger) }
        // A well-formed batch is refused as overloaded, and admitted once the queue has room.
        let wellFormed = try SignedBatch.signing(org: "H1", requestId: "r3", records: [record], key: key)
        let refusal = #expect(throws: LedgerError.self) { try admission.admit(wellFormed) }
        #expect(refusal?.isOverloaded == true)
        #expect(try #require(queue.take(maxRecords: 100, maxBytes: 1 << 20, timeout: .zero)).count == 1)
        #expect(try admission.admit(wellFormed).entries.count == 1)
        filler.fail(LedgerError(.internal, "not applied: the test took it"))
        _ = try? await fillerTask.value
    }

    @Test func shutdownCommitsEverythingQueuedAndRefusesLaterWrites() async throws {
        let f = try await LedgerFixture()
        let ledger = f.ledger
        let batches = try (0..<40).map { i in try f.batch((0..<20).map { LedgerFixture.payload(i * 20 + $0) }) }
        let submissions = batches.map { batch in Task { try await ledger.submit(batch) } }
        await Task.yield()
        ledger.shutdown()
        var acknowledged: [Receipt] = []
        var refusedAtShutdown = 0
        for submission in submissions {
            do {
                acknowledged += try await submission.value.map { try $0.get() }
            } catch let error as LedgerError {
                #expect(error == .shuttingDown, "only submissions after the close may be refused")
                refusedAtShutdown += 1
            }
        }
        #expect(acknowledged.count + refusedAtShutdown * 20 == 800)
        try f.reopen()
        defer { f.shutdown() }
        for receipt in acknowledged {
            #expect(try f.ledger.entry(at: receipt.index).leafHash == receipt.transactionHash)
        }
        #expect(try f.verify().isValid)
    }

    @Test func aFloodGetsReceiptsOrOverloadedNeverSilence() async throws {
        var configuration = LedgerFixture.fastConfiguration()
        configuration.queueCapacityRecords = 50
        let f = try await LedgerFixture(configuration: configuration)
        defer { f.shutdown() }
        let ledger = f.ledger
        let batches = try (0..<100).map { i in try f.batch((0..<25).map { LedgerFixture.payload(i * 25 + $0) }) }
        var landed = 0, overloaded = 0
        try await withThrowingTaskGroup(of: Int.self) { group in
            for batch in batches {
                group.addTask {
                    do {
                        return try await ledger.submit(batch).filter { (try? $0.get()) != nil }.count
                    } catch let error as LedgerError where error.isOverloaded {
                        return -1
                    }
                }
            }
            for try await n in group { if n < 0 { overloaded += 1 } else { landed += n } }
        }
        #expect(landed + overloaded * 25 == 2_500)
        print("flood: \(landed / 25) batches landed, \(overloaded) refused as overloaded")
        #expect(try f.verify().isValid)
    }
}

private final class ContinuationBox: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<[RecordOutcome], Error>?

    func set(_ c: CheckedContinuation<[RecordOutcome], Error>) {
        lock.lock(); continuation = c; lock.unlock()
    }

    private func peek() -> CheckedContinuation<[RecordOutcome], Error>? {
        lock.withLock { continuation }
    }

    func get() async -> CheckedContinuation<[RecordOutcome], Error> {
        while true {
            if let c = peek() { return c }
            await Task.yield()
        }
    }
}
