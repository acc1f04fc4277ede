import Foundation
import Testing
import YibaoLedgerTestSupport
@testable import YibaoLedger

/// The audit trail keeps every recorded read, durably and in order, and names the first event that was altered,
/// removed or reordered underneath it.
@Suite struct AuditTrailTests {
    private func folder() -> String { NSTemporaryDirectory() + "yibao-audit-" + UUID().uuidString }

    private func event(_ i: Int, reason: AuditEvent.Reason = .personalData) -> AuditEvent {
        AuditEvent(timeMs: 1_763_856_000_000 + UInt64(i), reason: reason, org: "H46010600001", role: "hospital",
                   action: "GetInvoice", subject: "invoice 46010621/\(String(format: "%010d", i))", outcome: "ok")
    }

    @Test func eventsRecordedTogetherShareOneCommit() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = AuditTrail.Configuration()
        configuration.maxEventsPerCommit = 4  // a batch's events stay together even above the per-commit maximum
        let trail = try AuditTrail(dataDirectory: directory, configuration: configuration)
        defer { trail.shutdown() }
        #expect(try await trail.record(event(0)) == 1)
        let commits = trail.commitCount
        let batch = (1...6).map { event($0, reason: .refusedWrite) }
        #expect(try await trail.record(batch) == 2, "the first of consecutive sequence numbers")
        #expect(trail.commitCount - commits == 1, "six refused records, one commit")
        #expect(try trail.events(after: 1).map(\.event) == batch)
        #expect(try trail.verify() == AuditTrail.Verification(events: 7))
        #expect(try await trail.record([]) == 0)
        #expect(trail.commitCount - commits == 1, "nothing to record, nothing committed")
    }

    @Test func aBatchBeyondTheBacklogIsRefusedWhole() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = AuditTrail.Configuration()
        configuration.capacity = 3
        let trail = try AuditTrail(dataDirectory: directory, configuration: configuration)
        defer { trail.shutdown() }
        await #expect(throws: LedgerError.self) { try await trail.record((0..<4).map { event($0) }) }
        #expect(try await trail.record((0..<3).map { event($0) }) == 1)
        #expect(try trail.verify().events == 3)
    }

    /// A trail that cannot grow refuses the read it cannot record as "storage full", and keeps what it recorded.
    @Test func aFullTrailRefusesReadsAsStorageFull() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = AuditTrail.Configuration()
        configuration.initialMapSize = 1 << 20
        configuration.maximumMapSize = 1 << 20
        let trail = try AuditTrail(dataDirectory: directory, configuration: configuration)
        defer { trail.shutdown() }
        var long = event(0)
        long.subject = String(repeating: "x", count: AuditEvent.maxLongField)
        var recorded = 0
        var refusal: LedgerError?
        while refusal == nil, recorded < 100_000 {
            do {
                try await trail.record((0..<16).map { _ in long })
                recorded += 16
            } catch let error as LedgerError {
                refusal = error
            }
        }
        let full = try #require(refusal, "a 1 MiB trail took \(recorded) long events")
        #expect(full.code == .resourceExhausted)
        #expect(full.message.hasPrefix("storage full: the audit trail could not store the read's trace: map at its maximum of \(1 << 20) bytes"),
                "\(full)")
        #expect(try trail.verify() == AuditTrail.Verification(events: recorded))
    }

    @Test func concurrentReadsAreAllRecordedInOneChainThatSurvivesReopening() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try AuditTrail(dataDirectory: directory)
        var trail = first
        let sequences = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for i in 0..<500 { group.addTask { try await first.record(event(i)) } }
            return try await group.reduce(into: [UInt64]()) { $0.append($1) }
        }
        #expect(Set(sequences) == Set(1...500))
        let stored = try trail.events(limit: 10_000)
        #expect(stored.map(\.sequence) == Array(1...500))
        #expect(Set(stored.map(\.event)) .count == 500)
        #expect(try trail.verify() == AuditTrail.Verification(events: 500))
        let headBefore = try #require(try trail.head())
        #expect(headBefore.sequence == 500)
        trail.shutdown()

        trail = try AuditTrail(dataDirectory: directory)
        #expect(try trail.head()?.link == headBefore.link)
        #expect(try await trail.record(event(999, reason: .auditorRead)) == 501)
        #expect(try trail.events(after: 500).map(\.event) == [event(999, reason: .auditorRead)])
        #expect(try trail.verify().events == 501)
        trail.shutdown()
    }

    @Test func alteredAndRemovedEventsAreNamedBySequence() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trail = try AuditTrail(dataDirectory: directory)
        for i in 0..<20 { try await trail.record(event(i)) }
        trail.shutdown()

        let env = try LMDBEnvironment(path: directory + "/audit")
        let events = try env.database(named: "events")
        try env.write { txn in
            var value = Array(try #require(try txn.get(events, key: 7)))
            value[value.count - 1] ^= 0x01  // one byte of the outcome
            try value.withUnsafeBytes { try txn.put(events, key: 7, value: $0) }
        }
        env.close()
        var reopened = try AuditTrail(dataDirectory: directory)
        var report = try reopened.verify()
        #expect(report.events == 6)
        #expect(report.firstDivergence?.sequence == 7)
        #expect(report.firstDivergence?.reason.contains("does not match its recomputation") == true)
        reopened.shutdown()

        let env2 = try LMDBEnvironment(path: directory + "/audit")
        let events2 = try env2.database(named: "events")
        try env2.write { txn in
            var key = U64Key(3)
            _ = try withUnsafeBytes(of: &key) { try txn.delete(events2, key: $0) }
        }
        env2.close()
        reopened = try AuditTrail(dataDirectory: directory)
        report = try reopened.verify()
        #expect(report.firstDivergence?.sequence == 3)
        #expect(report.firstDivergence?.reason == "event 3 is missing (the next stored is 4)")
        reopened.shutdown()
    }

    @Test func theLedgerAnchorCatchesALostTail() async throws {
        let f = try await LedgerFixture()
        let trail = try AuditTrail(dataDirectory: f.directory)
        for i in 0..<10 { try await trail.record(event(i)) }
        let head = try #require(try trail.head())
        #expect(head.sequence == 10)
        try await f.ledger.anchorAudit(head)
        #expect(try f.ledger.latestAuditAnchor() == head)
        let report = try f.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.auditAnchors == 1 && report.latestAuditAnchor == head)
        #expect(try trail.verify(anchor: head).isValid)
        trail.shutdown()

        // Someone removes the last three events: the chain alone still checks out, the anchor does not.
        let env = try LMDBEnvironment(path: f.directory + "/audit")
        let events = try env.database(named: "events")
        try env.write { txn in
            for sequence: UInt64 in 8...10 {
                var key = U64Key(sequence)
                _ = try withUnsafeBytes(of: &key) { try txn.delete(events, key: $0) }
            }
        }
        env.close()
        let reopened = try AuditTrail(dataDirectory: f.directory)
        #expect(try reopened.verify().isValid)
        let anchored = try reopened.verify(anchor: head)
        #expect(anchored.firstDivergence?.sequence == 8)
        #expect(anchored.firstDivergence?.reason == "the ledger anchors event 10, but the trail ends at 7: its tail was lost or removed")
        reopened.shutdown()
    }

    @Test func aFullBacklogRefusesTheReadRatherThanLeavingItUnrecorded() async throws {
        // The queue alone, with no writer draining it: the third event finds it full.
        let queue = AuditQueue(capacity: 2)
        var waiting: [Task<UInt64, Error>] = []
        for i in 0..<2 {
            let box = AuditContinuationBox()
            waiting.append(Task { try await withCheckedThrowingContinuation { box.set($0) } })
            try queue.enqueue(AuditQueue.Item(events: [event(i).encoded], continuation: await box.get()))
        }
        let box = AuditContinuationBox()
        let third = Task { try await withCheckedThrowingContinuation { box.set($0) } }
        let continuation = await box.get()
        #expect(throws: LedgerError(.resourceExhausted, "the audit trail has 2 events waiting; the read is refused rather than left unrecorded")) {
            try queue.enqueue(AuditQueue.Item(events: [event(2).encoded], continuation: continuation))
        }
        continuation.resume(throwing: CancellationError())
        _ = await third.result
        let drained = try #require(queue.take(maxEvents: 10))
        for (i, item) in drained.enumerated() { item.continuation.resume(returning: UInt64(i + 1)) }
        for task in waiting { _ = try await task.value }
    }

    @Test func eventsRoundTripAndOverlongFieldsAreClippedNotRefused() throws {
        var long = event(1)
        long.subject = String(repeating: "票", count: 3000)  // 9,000 UTF-8 bytes
        let decoded = try long.encoded.withUnsafeBytes { try AuditEvent(decoding: $0) }
        #expect(decoded.subject.utf8.count <= AuditEvent.maxLongField)
        #expect(decoded.subject == String(repeating: "票", count: AuditEvent.maxLongField / 3))
        for reason in AuditEvent.Reason.allCases {
            let e = event(2, reason: reason)
            #expect(try e.encoded.withUnsafeBytes { try AuditEvent(decoding: $0) } == e)
        }
    }
}

/// Hands a continuation created inside a task to the test.
private actor AuditContinuationBox {
    private var continuation: CheckedContinuation<UInt64, Error>?
    private var waiters: [CheckedContinuation<CheckedContinuation<UInt64, Error>, Never>] = []

    nonisolated func set(_ c: CheckedContinuation<UInt64, Error>) { Task { await self.store(c) } }

    private func store(_ c: CheckedContinuation<UInt64, Error>) {
        continuation = c
        for w in waiters { w.resume(returning: c) }
        waiters = []
    }

    func get() async -> CheckedContinuation<UInt64, Error> {
        if let continuation { return continuation }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
