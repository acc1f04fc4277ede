import Foundation
import Synchronization
import Testing
import YibaoClient
import YibaoProto
import YibaoRPC

/// The FeedSettlements stream through the generated client: batches in, one answer per batch in order, a bad
/// record failing alone and a bad batch failing alone without ending the feed; and flow control: a client that
/// stops reading answers holds the whole feed back instead of making the node buffer it.
@Suite("End to end: FeedSettlements", .serialized)
struct FeedSettlementsTests {
    static func batch(_ requestId: String, _ settlements: [Yibao_V1_Settlement]) -> Yibao_V1_FeedSettlementsRequest {
        var request = Yibao_V1_FeedSettlementsRequest()
        request.requestId = requestId
        request.settlements = settlements
        return request
    }

    @Test("answers in order, per record; a refused batch does not end the feed")
    func mixedFeed() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        let node = try await fixture.start()
        let hospital = try fixture.client(port: node.port, as: .hospital)
        var bad = Records.settlement("S460106202404000002")
        bad.psnPartAmt = 1
        let batches = [
            Self.batch("feed-1", [Records.settlement("S460106202404000001"), bad, Records.settlement("S460106202404000003")]),
            Self.batch("", [Records.settlement("S460106202404000004")]),           // no request id: the batch is refused
            Self.batch("feed-3", [Records.settlement("S460106202404000005")]),
            Self.batch("feed-1", [Records.settlement("S460106202404000001"), bad, Records.settlement("S460106202404000003")]),
        ]
        let answers = try await hospital.settlements.feedSettlements(requests: { writer in
            for batch in batches { try await writer.write(batch) }
        }, responses: { responses in
            var answers: [Yibao_V1_FeedSettlementsResponse] = []
            for try await answer in responses { answers.append(answer) }
            return answers
        })
        #expect(answers.map(\.requestId) == ["feed-1", "", "feed-3", "feed-1"])
        #expect(Records.codes(answers[0].results) == [0, 3, 0])
        #expect(answers[1].error?.code == 3 && answers[1].results.isEmpty, "\(String(describing: answers[1].error))")
        #expect(Records.codes(answers[2].results) == [0])
        #expect(Records.receipts(answers[3].results) == Records.receipts(answers[0].results), "a resent batch answers its receipts again")
        await hospital.close()
        await node.shutdown()
    }

    @Test("backpressure: while the client reads no answers, the feed stalls well before all batches are sent; then everything arrives")
    func backpressure() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        let node = try await fixture.start()
        let hospital = try fixture.client(port: node.port, as: .hospital)
        // Big answers for little ledger work: every record but the first of a batch is refused by admission (its
        // amounts do not add up), so each answer carries hundreds of error messages and the node's writes stay few.
        // The sender stalls once the answers fill the client's window and the node's buffers, and the requests the
        // node's window: 49 batches here, idle or with both cores busy elsewhere, but 63 in one CI run of the whole
        // suite, against a bound of 60 for 120 batches. The count depends on buffers, not on the total, so 200
        // batches leave the bound (half) well clear of it.
        let batchCount = 200, perBatch = 300
        var refused = Records.settlement("S460106202405000000")
        refused.fundPaySumamt = 1
        let batches = (0..<batchCount).map { i in
            Self.batch("bp-\(i)", [Records.settlement(String(format: "S4601062024050%05d", i))]
                       + Array(repeating: refused, count: perBatch - 1))
        }
        let sent = Atomic<Int>(0)
        let (answers, sentWhenStalled) = try await hospital.settlements.feedSettlements(requests: { writer in
            for batch in batches {
                try await writer.write(batch)
                sent.add(1, ordering: .relaxed)
            }
        }, responses: { responses in
            // Read nothing until the sender has made no progress for a while: it is held back by flow control.
            var last = -1, quiet = 0
            while quiet < 10 {
                try await Task.sleep(for: .milliseconds(100))
                let now = sent.load(ordering: .relaxed)
                quiet = now == last ? quiet + 1 : 0
                last = now
            }
            var answers: [Yibao_V1_FeedSettlementsResponse] = []
            for try await answer in responses { answers.append(answer) }
            return (answers, last)
        })
        #expect(sentWhenStalled < batchCount / 2, "the sender got \(sentWhenStalled) of \(batchCount) batches out with no answer read")
        #expect(answers.count == batchCount)
        #expect(answers.map(\.requestId) == batches.map(\.requestId), "answers in the order of the batches")
        #expect(answers.allSatisfy { Records.codes($0.results) == [0] + Array(repeating: 3, count: perBatch - 1) })
        await hospital.close()
        await node.shutdown()
    }
}
