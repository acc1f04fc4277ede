import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

@Suite struct LedgerIdempotencyTests {
    @Test func aRetryGetsTheOriginalReceiptsAndWritesNothing() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let batch = try f.batch([LedgerFixture.payload(1), [], LedgerFixture.payload(3)], requestId: "retry-me")
        let first = try await f.ledger.submit(batch)
        let size = f.ledger.treeSize
        let again = try await f.ledger.submit(batch)
        #expect(f.ledger.treeSize == size)
        #expect(again.count == 3)
        #expect(try again[0].get() == first[0].get())
        #expect(try again[2].get() == first[2].get())
        guard case .failure(let original) = first[1], case .failure(let replayed) = again[1] else {
            Issue.record("record 1 should fail both times")
            return
        }
        #expect(original == replayed)
        // And after a restart, from the stored seal.
        try f.reopen()
        let afterRestart = try await f.ledger.submit(batch)
        #expect(try afterRestart[0].get() == first[0].get())
        #expect(try afterRestart[2].get() == first[2].get())
    }

    @Test func theSameRequestIdForOtherRecordsIsAlreadyExists() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        _ = try await f.submit([LedgerFixture.payload(1)], requestId: "once")
        do {
            _ = try await f.submit([LedgerFixture.payload(2)], requestId: "once")
            Issue.record("a different batch under a used request id must be refused")
        } catch let error as LedgerError {
            #expect(error.code == .alreadyExists)
            #expect(error.message.hasPrefix("request id 'once' of org H46010600001 was already used for a different batch"))
        }
    }

    @Test func concurrentDuplicatesLandOnce() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let batch = try f.batch((0..<3).map { LedgerFixture.payload($0) }, requestId: "racing")
        let ledger = f.ledger
        let size = ledger.treeSize
        let answers = try await withThrowingTaskGroup(of: [Receipt].self) { group in
            for _ in 0..<16 { group.addTask { try await ledger.submit(batch).map { try $0.get() } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(answers.map { $0.map(\.index) }).count == 1)
        #expect(ledger.treeSize == size + 4)  // three records and one seal
    }
}
