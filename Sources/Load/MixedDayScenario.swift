import Synchronization
import YibaoLoadSupport
import YibaoProto
import YibaoRPC

/// A realistic day on a node that already holds a history: hospitals keep feeding new invoices and
/// settlements, the bureau locks and enters invoices (入账) of earlier visits, and everyone reads. Each
/// operation is one of these, drawn by weight: a feed batch (issue or upload of new visits), a lock followed
/// by its entry (two calls, one operation), or a query of the query mix.
public struct MixedDayScenario: LoadScenario {
    public enum Step: String, Sendable, CaseIterable {
        case feed, lockAndEnter = "lock-enter", getInvoice = "get-invoice", getSettlement = "get-settlement"
        case traceInvoice = "trace-invoice", inclusionProof = "inclusion-proof"
    }

    public let reads: QueryMixScenario
    public let feed: HospitalFeedScenario
    public let weights: [(Step, Int)]
    public var name: String { "mixed-day" }
    private let counters = Counters()

    private final class Counters: Sendable {
        let feed = Atomic<Int>(0)
        let lock = Atomic<Int>(0)
    }

    /// `history`: visits on the node before the day starts (loaded by `prepare` when `preload`).
    public init(connection: LoadConnection, workload: SyntheticWorkload, history: Int, preload: Bool, feedBatch: Int,
                weights: [(Step, Int)] = [(.feed, 20), (.lockAndEnter, 10), (.getInvoice, 35), (.getSettlement, 15),
                                          (.traceInvoice, 10), (.inclusionProof, 10)]) {
        reads = QueryMixScenario(connection: connection, workload: workload, visits: history, preload: preload)
        // New visits start after the history's whole rounds.
        let historyRounds = (max(1, history) + workload.hospitals - 1) / workload.hospitals
        feed = HospitalFeedScenario(connection: connection, workload: workload, batchSize: feedBatch,
                                    firstSequence: historyRounds)
        self.weights = weights.filter { $0.1 > 0 }
    }

    public func prepare(log: @escaping @Sendable (String) -> Void) async throws {
        try await reads.prepare(log: log)
    }

    public func withWorker(_ index: Int, _ body: ((Int) async -> OperationOutcome) async -> Void) async {
        await body { await perform($0) }
    }

    func perform(_ operation: Int) async -> OperationOutcome {
        var random = SplitMix64(seed: UInt64(operation) &* 0xA076_1D64_78BD_642F ^ reads.workload.seed)
        let total = weights.reduce(0) { $0 + $1.1 }
        var draw = Int(random.next() % UInt64(max(total, 1)))
        var step = weights[0].0
        for (candidate, weight) in weights {
            if draw < weight { step = candidate; break }
            draw -= weight
        }
        let visit = Int(random.next() % UInt64(reads.visits))
        switch step {
        case .feed:
            return await feed.perform(counters.feed.wrappingAdd(1, ordering: .relaxed).oldValue).of(kind: Step.feed.rawValue)
        case .lockAndEnter:
            let next = counters.lock.wrappingAdd(1, ordering: .relaxed).oldValue
            // Each earlier visit is locked and entered once; when all are, the bureau only reads.
            guard next < reads.visits else { return await query(.getInvoice, visit: visit, &random) }
            return await lockAndEnter(visit: next)
        case .getInvoice: return await query(.getInvoice, visit: visit, &random)
        case .getSettlement: return await query(.getSettlement, visit: visit, &random)
        case .traceInvoice: return await query(.traceInvoice, visit: visit, &random)
        case .inclusionProof: return await query(.inclusionProof, visit: visit, &random)
        }
    }

    private func query(_ query: QueryMixScenario.Query, visit: Int, _ random: inout SplitMix64) async -> OperationOutcome {
        await QueryMixScenario.perform(query, visit: visit, connection: reads.connection, workload: reads.workload,
                                       treeSize: reads.currentTreeSize, random: &random)
    }

    /// The bureau locks the invoice, then records its entry: the two calls a reimbursement makes.
    private func lockAndEnter(visit: Int) async -> OperationOutcome {
        let workload = reads.workload, connection = reads.connection
        let keys = workload.keys(ofVisit: visit)
        let missing = workload.defect(ofVisit: visit)?.inInvoice == true
        var outcome = OperationOutcome(records: 0, kind: Step.lockAndEnter.rawValue)
        for name in ["lock", "entry"] {
            var request = Yibao_V1_InvoiceActionRequest()
            request.requestId = "load-\(name)-\(workload.seed)-\(visit)"
            var reference = Yibao_V1_InvoiceReference()
            reference.invoiceCode = keys.invoiceCode
            reference.invoiceNumber = keys.invoiceNumber
            reference.checkCode = keys.checkCode
            request.invoice = reference
            request.operatedTime = "2024-03-29 09:00:00"
            var step = OperationOutcome(records: 1)
            if missing { step.defectsSent = 1 }
            do {
                _ = try await connection.acting(as: SyntheticWorkload.bureauOrg) {
                    try await name == "lock" ? connection.invoices.lockInvoice(request) : connection.invoices.recordEntry(request)
                }
                step.succeeded = 1
                if missing {
                    step.unexpectedFailures = 1
                    step.firstUnexpected = "\(name) of an invoice that was sent with a defect succeeded"
                }
            } catch {
                let status = error as? GRPCStatus ?? GRPCStatus(.unknown, "\(error)")
                step.callStatus = status.code.rawValue
                if missing && status.code == .notFound {
                    step.defectsRefusedAsExpected = 1
                } else {
                    step.unexpectedFailures = 1
                    step.firstUnexpected = "\(name) \(GRPCStatusName.name(status.code.rawValue)): \(status.message)"
                }
            }
            outcome.absorb(step)
            if step.callStatus != 0 { break }
        }
        return outcome
    }
}

