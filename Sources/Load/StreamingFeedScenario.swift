import YibaoLoadSupport
import YibaoMapping
import YibaoProto
import YibaoRPC

/// The streaming hospital feed (`FeedSettlements`): each worker is one hospital with one long-lived
/// bidirectional stream, sending a batch of its settlements and waiting for that batch's receipts before the
/// next (one batch in flight per stream; concurrency = streams). Worker w is hospital w's feed; its k-th batch
/// holds that hospital's visits k·batch ..< (k+1)·batch (after `firstSequence`).
public struct StreamingFeedScenario: LoadScenario {
    public let connection: LoadConnection
    public let workload: SyntheticWorkload
    public let batchSize: Int
    public let firstSequence: Int
    /// Streams per hospital: workers beyond the hospital count share one, each taking every `lanes`-th batch.
    public let lanes: Int
    public var name: String { "streaming-feed" }

    /// `streams`: how many workers the plan runs (its concurrency, or its in-flight limit in an open loop).
    public init(connection: LoadConnection, workload: SyntheticWorkload, batchSize: Int, firstSequence: Int = 0,
                streams: Int = 1) {
        self.connection = connection
        self.workload = workload
        self.batchSize = max(1, batchSize)
        self.firstSequence = firstSequence
        self.lanes = max(1, (streams + workload.hospitals - 1) / workload.hospitals)
    }

    public func withWorker(_ index: Int, _ body: ((Int) async -> OperationOutcome) async -> Void) async {
        let hospital = index % workload.hospitals
        // Workers beyond the hospital count share a hospital; each takes its own slice of sequences.
        let lane = index / workload.hospitals
        let org = SyntheticWorkload.hospitalCode(hospital)
        let (requests, continuation) = AsyncStream<Yibao_V1_FeedSettlementsRequest>.makeStream()
        var started = false
        do {
            try await connection.acting(as: org) {
                try await connection.settlements.feedSettlements(requests: { writer in
                    for await request in requests { try await writer.write(request) }
                }, responses: { responses in
                    started = true
                    var iterator = responses.makeAsyncIterator()
                    var sent = 0
                    await body { _ in
                        let round = sent * lanes + lane  // a hospital's lanes take turns: no two share a sequence
                        sent += 1
                        let first = firstSequence + round * batchSize
                        guard first + batchSize <= SyntheticWorkload.maxVisitsPerHospital else {
                            return .callFailed(records: batchSize, code: GRPCStatus.Code.outOfRange.rawValue,
                                               message: "hospital \(org) has no visit numbers left (\(SyntheticWorkload.maxVisitsPerHospital) per hospital): use a shorter run or more hospitals")
                        }
                        let visits = (first..<first + batchSize).map { workload.visitIndex(hospital: hospital, sequence: $0) }
                        var request = Yibao_V1_FeedSettlementsRequest()
                        request.requestId = "load-feed-\(workload.seed)-\(firstSequence)-\(hospital)-\(round)"
                        request.settlements = visits.map { SettlementMapping.message(workload.visit($0).settlement) }
                        let defects = visits.map { index in workload.defect(ofVisit: index).flatMap { $0.inInvoice ? nil : $0 } }
                        continuation.yield(request)
                        do {
                            guard let response = try await iterator.next() else {
                                return .callFailed(records: visits.count, code: GRPCStatus.Code.unavailable.rawValue,
                                                   message: "the feed ended before answering batch \(request.requestId)")
                            }
                            if let error = response.error {
                                return .callFailed(records: visits.count, code: Int(error.code), message: error.message)
                            }
                            return BatchOutcome.of(response.results, defects: defects)
                        } catch {
                            return BatchOutcome.failed(error, records: visits.count)
                        }
                    }
                    continuation.finish()
                })
            }
        } catch {
            continuation.finish()
            // A stream refused before it began (no key, UNAUTHENTICATED, no connection) fails its operations like
            // any refused call, instead of leaving the worker silently without any.
            if !started { await body { _ in BatchOutcome.failed(error, records: batchSize) } }
        }
    }
}
