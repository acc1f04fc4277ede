import Synchronization
import YibaoLoadSupport
import YibaoProto
import YibaoRPC

/// Reads of records already on the ledger: GetInvoice, GetSettlement, TraceInvoice and GetInclusionProof in
/// configurable proportions, over the first `visits` visits of the workload (loaded by `prepare` unless the
/// node already holds them). A visit whose invoice (or settlement) was deliberately bad was never stored: a
/// read of it must answer NOT_FOUND, and the report counts it as a bad record refused as expected.
public struct QueryMixScenario: LoadScenario {
    public enum Query: String, Sendable, CaseIterable {
        case getInvoice = "get-invoice"
        case getSettlement = "get-settlement"
        case traceInvoice = "trace-invoice"
        case inclusionProof = "inclusion-proof"
    }

    public let connection: LoadConnection
    public let workload: SyntheticWorkload
    /// Visits 0..<visits (of hospital sequences from 0) are read.
    public let visits: Int
    /// Load the visits first (untimed), with batches of `preloadBatch` and `preloadConcurrency` calls in flight.
    public let preload: Bool
    public let preloadBatch: Int
    public let preloadConcurrency: Int
    /// Relative weights of the queries.
    public let mix: [(Query, Int)]
    public var name: String { mix.count == 1 ? mix[0].0.rawValue : "query-mix" }
    /// The ledger's size after the preload: proofs ask for indexes below it.
    private let treeSize = SharedTreeSize()
    var currentTreeSize: UInt64 { treeSize.value.load(ordering: .relaxed) }

    public init(connection: LoadConnection, workload: SyntheticWorkload, visits: Int, preload: Bool,
                mix: [(Query, Int)] = [(.getInvoice, 40), (.getSettlement, 30), (.traceInvoice, 15), (.inclusionProof, 15)],
                preloadBatch: Int = 1000, preloadConcurrency: Int = 4) {
        self.connection = connection
        self.workload = workload
        self.visits = max(1, visits)
        self.preload = preload
        self.mix = mix.filter { $0.1 > 0 }
        self.preloadBatch = preloadBatch
        self.preloadConcurrency = preloadConcurrency
    }

    public func prepare(log: @escaping @Sendable (String) -> Void) async throws {
        if preload {
            try await Self.load(visits: visits, workload: workload, connection: connection, batch: preloadBatch,
                                concurrency: preloadConcurrency, log: log)
        }
        // Only proofs need the ledger's size; a server without LedgerService (the grpc-swift-2 peer) serves the rest.
        guard mix.contains(where: { $0.0 == .inclusionProof }) else { return }
        let head = try await connection.acting(as: SyntheticWorkload.platformOrg) {
            try await connection.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
        }
        treeSize.value.store(head.head?.treeSize ?? 0, ordering: .relaxed)
    }

    /// Writes visits 0..<visits through the hospital feed (untimed), failing on anything but the planned defects.
    static func load(visits: Int, workload: SyntheticWorkload, connection: LoadConnection, batch: Int, concurrency: Int,
                     log: @escaping @Sendable (String) -> Void) async throws {
        // Whole rounds of all hospitals, so visits 0..<visits are exactly the first ones of each hospital.
        let perHospital = (visits + workload.hospitals - 1) / workload.hospitals
        let batchSize = max(1, min(batch, perHospital))
        let rounds = (perHospital + batchSize - 1) / batchSize
        let feed = HospitalFeedScenario(connection: connection, workload: workload, batchSize: batchSize)
        let operations = rounds * workload.hospitals * 2
        log("preload: \(rounds * workload.hospitals * batchSize) visits (\(operations) calls of \(batchSize) records, untimed)")
        let engine = LoadEngine(plan: LoadPlan(mode: .closed(concurrency: concurrency), warmupSeconds: 0,
                                               durationSeconds: 86_400, maxOperations: operations, progress: false), log: log)
        let report = try await engine.run(feed)
        guard report.tally.unexpectedFailures == 0 else {
            throw GRPCStatus(.internal, "preload: \(report.tally.unexpectedFailures) unexpected failures: \(report.tally.unexpectedSamples.joined(separator: " | "))")
        }
        log("preload: \(report.tally.recordsSucceeded) records in \(String(format: "%.1f", report.measuredSeconds)) s")
    }

    public func withWorker(_ index: Int, _ body: ((Int) async -> OperationOutcome) async -> Void) async {
        await body { await perform($0) }
    }

    func perform(_ operation: Int) async -> OperationOutcome {
        var random = SplitMix64(seed: UInt64(operation) &* 0x9E37_79B9_7F4A_7C15 ^ workload.seed)
        let total = mix.reduce(0) { $0 + $1.1 }
        var draw = Int(random.next() % UInt64(max(total, 1)))
        var query = mix[0].0
        for (candidate, weight) in mix {
            if draw < weight { query = candidate; break }
            draw -= weight
        }
        let visit = Int(random.next() % UInt64(visits))
        return await Self.perform(query, visit: visit, connection: connection, workload: workload,
                                  treeSize: currentTreeSize, random: &random)
    }

    static func perform(_ query: Query, visit: Int, connection: LoadConnection, workload: SyntheticWorkload,
                        treeSize: UInt64, random: inout SplitMix64) async -> OperationOutcome {
        let keys = workload.keys(ofVisit: visit)
        let defect = workload.defect(ofVisit: visit)
        let reader = workload.hospitalCode(ofVisit: visit)
        var outcome = OperationOutcome(records: 1, kind: query.rawValue)
        // Whether the record this query reads was made bad on purpose, so it is not on the ledger.
        let missing: Bool
        switch query {
        case .getInvoice, .traceInvoice: missing = defect?.inInvoice == true
        case .getSettlement: missing = defect.map { !$0.inInvoice } ?? false
        case .inclusionProof: missing = false
        }
        if missing { outcome.defectsSent = 1 }
        do {
            switch query {
            case .getInvoice:
                var request = Yibao_V1_GetInvoiceRequest()
                request.invoiceCode = keys.invoiceCode
                request.invoiceNumber = keys.invoiceNumber
                request.checkCode = keys.checkCode
                _ = try await connection.acting(as: SyntheticWorkload.platformOrg) { try await connection.invoices.getInvoice(request) }
            case .getSettlement:
                var request = Yibao_V1_GetSettlementRequest()
                request.setlId = keys.setlId
                _ = try await connection.acting(as: reader) { try await connection.settlements.getSettlement(request) }
            case .traceInvoice:
                var request = Yibao_V1_TraceInvoiceRequest()
                request.invoiceCode = keys.invoiceCode
                request.invoiceNumber = keys.invoiceNumber
                request.checkCode = keys.checkCode
                _ = try await connection.acting(as: SyntheticWorkload.platformOrg) { try await connection.invoices.traceInvoice(request) }
            case .inclusionProof:
                var request = Yibao_V1_GetInclusionProofRequest()
                request.leaf = .ledgerIndex(treeSize > 1 ? random.next() % (treeSize - 1) : 0)
                _ = try await connection.acting(as: SyntheticWorkload.platformOrg) { try await connection.ledger.getInclusionProof(request) }
            }
        } catch {
            let status = error as? GRPCStatus ?? GRPCStatus(.unknown, "\(error)")
            let expectedMissing = missing && status.code == .notFound
            if expectedMissing { outcome.defectsRefusedAsExpected = 1 }
            outcome.callStatus = status.code.rawValue
            if !expectedMissing {
                outcome.unexpectedFailures = 1
                outcome.firstUnexpected = "\(query.rawValue) \(GRPCStatusName.name(status.code.rawValue)): \(status.message)"
            }
            return outcome
        }
        if missing {
            outcome.unexpectedFailures = 1
            outcome.firstUnexpected = "\(query.rawValue) found a record that was sent with a defect"
        }
        outcome.succeeded = 1
        return outcome
    }
}

/// The ledger size a query mix reads below, set once by `prepare`.
private final class SharedTreeSize: Sendable {
    let value = Atomic<UInt64>(0)
}
