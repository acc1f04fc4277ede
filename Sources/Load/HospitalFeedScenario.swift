import Synchronization
import YibaoDomain
import YibaoLoadSupport
import YibaoMapping
import YibaoProto

/// The hospital feed: the invoice platform issues a batch of invoices (each naming its setl_id), and the
/// hospital uploads the batch's settlements, which link to the invoices automatically. Operation 2b issues
/// batch b, operation 2b+1 uploads it. Batch b is hospital b % H's (b / H)-th batch, so each hospital's
/// records run in sequence while hundreds of hospitals interleave. With batch size 1 it is the single-record
/// write scenario; without uploads (`issueOnly`) every operation issues a batch (the grpc-swift-2 comparison).
public struct HospitalFeedScenario: StatelessLoadScenario {
    public let connection: LoadConnection
    public let workload: SyntheticWorkload
    public let batchSize: Int
    /// Per-hospital sequence of the first visit, so that a second run against the same node writes new records.
    public let firstSequence: Int
    public let issueOnly: Bool
    /// Settlement messages built with their batch's invoices, until the upload takes them: each visit is
    /// generated once, not once per call (the generator is client CPU that a load test should not waste).
    private let pending = PendingSettlements()
    public var name: String { issueOnly ? "issue-invoices" : batchSize == 1 ? "single-writes" : "hospital-feed" }

    public init(connection: LoadConnection, workload: SyntheticWorkload, batchSize: Int, firstSequence: Int = 0,
                issueOnly: Bool = false) {
        self.connection = connection
        self.workload = workload
        self.batchSize = max(1, batchSize)
        self.firstSequence = firstSequence
        self.issueOnly = issueOnly
    }

    /// The visits of batch `batch`.
    public func visits(ofBatch batch: Int) -> [Int] {
        let hospital = batch % workload.hospitals, round = batch / workload.hospitals
        let first = firstSequence + round * batchSize
        return (first..<first + batchSize).map { workload.visitIndex(hospital: hospital, sequence: $0) }
    }

    public func perform(_ operation: Int) async -> OperationOutcome {
        if issueOnly { return await issue(batch: operation) }
        let batch = operation / 2
        return operation % 2 == 0 ? await issue(batch: batch) : await upload(batch: batch)
    }

    func issue(batch: Int) async -> OperationOutcome {
        let visits = visits(ofBatch: batch)
        var request = Yibao_V1_IssueInvoicesRequest()
        request.requestId = "load-issue-\(workload.seed)-\(firstSequence)-\(batch)"
        var settlements: [Yibao_V1_Settlement] = []
        request.invoices = visits.map { index in
            let (invoice, settlement) = workload.visit(index)
            if !issueOnly { settlements.append(SettlementMapping.message(settlement)) }
            return InvoiceMapping.message(invoice)
        }
        if !issueOnly { pending.put(batch, settlements) }
        let defects = visits.map { index in workload.defect(ofVisit: index).flatMap { $0.inInvoice ? $0 : nil } }
        do {
            let response = try await connection.acting(as: SyntheticWorkload.platformOrg) {
                try await connection.invoices.issueInvoices(request)
            }
            return BatchOutcome.of(response.results, defects: defects)
        } catch {
            return BatchOutcome.failed(error, records: visits.count)
        }
    }

    func upload(batch: Int) async -> OperationOutcome {
        let visits = visits(ofBatch: batch)
        var request = Yibao_V1_UploadSettlementsRequest()
        request.requestId = "load-upload-\(workload.seed)-\(firstSequence)-\(batch)"
        request.settlements = pending.take(batch) ?? visits.map { SettlementMapping.message(workload.visit($0).settlement) }
        let defects = visits.map { index in workload.defect(ofVisit: index).flatMap { $0.inInvoice ? nil : $0 } }
        do {
            let response = try await connection.acting(as: workload.hospitalCode(ofVisit: visits[0])) {
                try await connection.settlements.uploadSettlements(request)
            }
            return BatchOutcome.of(response.results, defects: defects)
        } catch {
            return BatchOutcome.failed(error, records: visits.count)
        }
    }
}

/// Batches' settlement messages between their issue and their upload (a handful: as many as calls in flight).
/// When the upload comes first it leaves a mark, so the issue's late `put` is dropped rather than kept forever.
private final class PendingSettlements: Sendable {
    private enum Entry { case built([Yibao_V1_Settlement]), uploadWentFirst }
    private let batches = Mutex<[Int: Entry]>([:])

    func put(_ batch: Int, _ settlements: [Yibao_V1_Settlement]) {
        batches.withLock { batches in
            if case .uploadWentFirst? = batches[batch] { batches[batch] = nil } else { batches[batch] = .built(settlements) }
        }
    }

    /// nil when the upload runs first (another worker): the caller builds them itself.
    func take(_ batch: Int) -> [Yibao_V1_Settlement]? {
        batches.withLock { batches in
            if case .built(let settlements)? = batches.removeValue(forKey: batch) { return settlements }
            batches[batch] = .uploadWentFirst
            return nil
        }
    }
}
