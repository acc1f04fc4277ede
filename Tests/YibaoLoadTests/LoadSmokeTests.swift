import Foundation
import Testing
import YibaoCrypto
import YibaoLoad
import YibaoLoadSupport
import YibaoProto
import YibaoRPC
import YibaoServer
import YibaoTestSupport

/// yibao-load against a real in-process node (real LMDB, real sockets on a free loopback port, development
/// identity): the report's counts must equal what the node then holds, and every deliberately bad record
/// must have failed alone with its expected status. Sizes are small; nothing here is timed.
@Suite(.serialized) struct LoadSmokeTests {
    static let hospitals = 5

    /// A node on a fresh folder whose registry holds the load orgs, and a development-identity connection to it.
    struct Node: Sendable {
        let folder: TestNode
        let node: LedgerNode
        let connection: LoadConnection
        var root: String { folder.root }
    }

    /// Runs `body` with a running `Node`; the connection and the node are closed however `body` ends.
    static func withNode(developmentMode: Bool = true, _ body: (Node) async throws -> Void) async throws {
        let folder = try TestNode(prefix: "yibao-load")
        defer { folder.remove() }
        _ = try LoadOrgs.write(to: folder.root, hospitals: hospitals)  // at folder.orgRegistryPath
        try await folder.withRunningNode(developmentMode: developmentMode) { node in
            let connection = try LoadConnection(host: "127.0.0.1", port: node.port, connections: 2, identity: .development)
            do {
                try await body(Node(folder: folder, node: node, connection: connection))
                await connection.close()
            } catch {
                await connection.close()
                throw error
            }
        }
    }

    static func plan(operations: Int, concurrency: Int = 3) -> LoadPlan {
        LoadPlan(mode: .closed(concurrency: concurrency), warmupSeconds: 0, durationSeconds: 3_600,
                 maxOperations: operations, progress: false)
    }

    /// Whether the node holds the visit's invoice and settlement, read back through the generated client.
    static func held(_ visit: Int, _ workload: SyntheticWorkload, _ connection: LoadConnection) async throws -> (invoice: Bool, settlement: Bool) {
        let keys = workload.keys(ofVisit: visit)
        var org = GRPCMetadata()
        org.add("yibao-org", SyntheticWorkload.platformOrg)
        var invoiceRequest = Yibao_V1_GetInvoiceRequest()
        invoiceRequest.invoiceCode = keys.invoiceCode
        invoiceRequest.invoiceNumber = keys.invoiceNumber
        var invoice = true
        do {
            let response = try await connection.invoices.getInvoice(invoiceRequest, options: RPCCallOptions(metadata: org))
            #expect(response.invoice?.setlId == keys.setlId)
        } catch let status as GRPCStatus where status.code == .notFound { invoice = false }
        var hospital = GRPCMetadata()
        hospital.add("yibao-org", workload.hospitalCode(ofVisit: visit))
        var settlementRequest = Yibao_V1_GetSettlementRequest()
        settlementRequest.setlId = keys.setlId
        var settlement = true
        do {
            _ = try await connection.settlements.getSettlement(settlementRequest, options: RPCCallOptions(metadata: hospital))
        } catch let status as GRPCStatus where status.code == .notFound { settlement = false }
        return (invoice, settlement)
    }

    @Test func hospitalFeedCountsMatchTheNodeAndBadRecordsFailWithTheirStatus() async throws {
        try await Self.withNode { node in
            let workload = SyntheticWorkload(hospitals: Self.hospitals, seed: 3, defectShare: 0.15)
            let feed = HospitalFeedScenario(connection: node.connection, workload: workload, batchSize: 10)
            let report = try await LoadEngine(plan: Self.plan(operations: 20)).run(feed)

            let visits = (0..<10).flatMap { feed.visits(ofBatch: $0) }
            let defects = visits.compactMap { workload.defect(ofVisit: $0) }
            #expect(Set(visits).count == 100)
            #expect(!defects.isEmpty, "the seed gives some bad records")
            #expect(report.tally.calls == 20)
            #expect(report.tally.records == 200)
            #expect(report.tally.defectsSent == defects.count)
            #expect(report.tally.defectsRefusedAsExpected == defects.count)
            #expect(report.tally.recordFailures == ["INVALID_ARGUMENT": defects.count])
            #expect(report.tally.unexpectedFailures == 0, "\(report.tally.unexpectedSamples)")
            #expect(report.tally.recordsSucceeded == 200 - defects.count)

            var heldInvoices = 0, heldSettlements = 0
            for visit in visits {
                let held = try await Self.held(visit, workload, node.connection)
                let defect = workload.defect(ofVisit: visit)
                #expect(held.invoice == (defect?.inInvoice != true), "visit \(visit) \(String(describing: defect))")
                #expect(held.settlement == (defect == nil || defect!.inInvoice), "visit \(visit) \(String(describing: defect))")
                heldInvoices += held.invoice ? 1 : 0
                heldSettlements += held.settlement ? 1 : 0
            }
            #expect(heldInvoices + heldSettlements == report.tally.recordsSucceeded)

            // Reads over the same visits: bad visits answer NOT_FOUND, counted as expected.
            let reads = QueryMixScenario(connection: node.connection, workload: workload, visits: 100, preload: false)
            let readReport = try await LoadEngine(plan: Self.plan(operations: 200)).run(reads)
            #expect(readReport.tally.calls == 200)
            #expect(readReport.tally.unexpectedFailures == 0, "\(readReport.tally.unexpectedSamples)")
            #expect(readReport.tally.defectsRefusedAsExpected == readReport.tally.defectsSent)
            #expect(readReport.tally.recordsSucceeded + readReport.tally.defectsSent == 200)
            #expect(readReport.tally.callFailures == (readReport.tally.defectsSent == 0 ? [:] : ["NOT_FOUND": readReport.tally.defectsSent]))
        }
    }

    @Test func streamingFeedAndMixedDayLandWhatTheyReport() async throws {
        try await Self.withNode { node in
            let workload = SyntheticWorkload(hospitals: Self.hospitals, seed: 5, defectShare: 0.1)
            // One stream (hospital 0's feed), six batches of 4.
            let stream = StreamingFeedScenario(connection: node.connection, workload: workload, batchSize: 4)
            #expect(stream.lanes == 1)
            // One worker more than there are hospitals: hospital 0 gets a second stream, and the two take turns.
            #expect(StreamingFeedScenario(connection: node.connection, workload: workload, batchSize: 4,
                                          streams: Self.hospitals + 1).lanes == 2)
            let report = try await LoadEngine(plan: Self.plan(operations: 6, concurrency: 1)).run(stream)
            #expect(report.tally.calls == 6)
            #expect(report.tally.unexpectedFailures == 0, "\(report.tally.unexpectedSamples)")
            var held = 0, expectedBad = 0
            for round in 0..<6 {
                // One stream per hospital: its k-th batch holds sequences 4k ..< 4k + 4.
                for sequence in round * 4 ..< round * 4 + 4 {
                    let visit = workload.visitIndex(hospital: 0, sequence: sequence)
                    if try await Self.held(visit, workload, node.connection).settlement { held += 1 }
                    if let defect = workload.defect(ofVisit: visit), !defect.inInvoice { expectedBad += 1 }
                }
            }
            #expect(held == report.tally.recordsSucceeded)
            #expect(report.tally.defectsRefusedAsExpected == expectedBad && report.tally.defectsSent == expectedBad)

            // A day on a 50-visit history: loads it, then feeds, locks, enters and reads.
            let day = MixedDayScenario(connection: node.connection, workload: workload, history: 50, preload: true, feedBatch: 5)
            let dayReport = try await LoadEngine(plan: Self.plan(operations: 120)).run(day)
            #expect(dayReport.tally.calls == 120)
            #expect(dayReport.tally.unexpectedFailures == 0, "\(dayReport.tally.unexpectedSamples)")
            #expect(dayReport.tally.defectsRefusedAsExpected == dayReport.tally.defectsSent)
            // Each kind of operation has its own figures, and together they are the whole run.
            let kinds = dayReport.kinds.map(\.kind)
            #expect(Set(kinds).isSubset(of: Set(MixedDayScenario.Step.allCases.map(\.rawValue))), "\(kinds)")
            #expect(kinds.contains("feed") && kinds.contains("get-invoice"), "\(kinds)")
            #expect(dayReport.kinds.map(\.tally.calls).reduce(0, +) == dayReport.tally.calls)
            #expect(dayReport.kinds.map(\.latency.count).reduce(0, +) == dayReport.latency.count)
            #expect(dayReport.kinds.map(\.tally.recordsSucceeded).reduce(0, +) == dayReport.tally.recordsSucceeded)
            for figures in dayReport.kinds {
                #expect(figures.latency.p50 <= figures.latency.p99 && figures.latency.p99 <= figures.latency.max, "\(figures.kind)")
                #expect(dayReport.text.contains(figures.kind))
            }
            // The JSON keeps them; the plot draws one p99 line per kind.
            let decoded = try JSONDecoder().decode(LoadReport.self, from: JSONEncoder().encode(dayReport))
            #expect(decoded.kinds.map(\.kind) == kinds)
            #expect(dayReport.timeline.contains { ($0.p99MicrosByKind ?? [:]).keys.contains("feed") })
            let plot = LatencyPlot.svg(dayReport)
            for kind in Set(dayReport.timeline.flatMap { $0.p99MicrosByKind?.keys.map { $0 } ?? [] }) {
                #expect(plot.contains("p99 \(kind)"), "\(kind)")
            }
            // A scenario of one kind reports no per-kind figures.
            #expect(report.kinds.isEmpty)
        }
    }

    @Test func signedCallsLandAndUnsignedOnesAreCountedAsUnauthenticated() async throws {
        try await Self.withNode(developmentMode: false) { node in
            let workload = SyntheticWorkload(hospitals: Self.hospitals, seed: 9)
            let orgs = [SyntheticWorkload.platformOrg, SyntheticWorkload.bureauOrg] + (0..<Self.hospitals).map(SyntheticWorkload.hospitalCode)
            let signed = try LoadConnection(host: "127.0.0.1", port: node.node.port, connections: 1,
                                            identity: .signed(keysDirectory: node.root + "/keys", orgs: orgs))
            let feed = HospitalFeedScenario(connection: signed, workload: workload, batchSize: 5)
            let report = try await LoadEngine(plan: Self.plan(operations: 4)).run(feed)
            #expect(report.tally.recordsSucceeded == 20)
            #expect(report.tally.unexpectedFailures == 0, "\(report.tally.unexpectedSamples)")
            await signed.close()

            // The node is not in development mode: calls that only name their org fail whole, and say why.
            let unsigned = HospitalFeedScenario(connection: node.connection, workload: workload, batchSize: 5, firstSequence: 10)
            let refused = try await LoadEngine(plan: Self.plan(operations: 4)).run(unsigned)
            #expect(refused.tally.callFailures == ["UNAUTHENTICATED": 4])
            #expect(refused.tally.recordsSucceeded == 0 && refused.tally.unexpectedFailures == 20)
        }
    }

    /// A run against a node that is not there ends, with the reason, instead of waiting for it: the pre-run check
    /// names the address, and calls made while the node is gone fail UNAVAILABLE at once and are counted.
    @Test(.timeLimit(.minutes(1))) func aNodeThatIsGoneIsReportedNotWaitedFor() async throws {
        var port = 0
        try await Self.withNode { node in
            try await node.connection.checkReachable()
            port = node.node.port
        }
        // The node has stopped: nothing listens on its port any more.
        let connection = try LoadConnection(host: "127.0.0.1", port: port, connections: 1, identity: .development)
        do {
            try await connection.checkReachable(timeout: .seconds(5))
            Issue.record("a stopped node's port answered")
        } catch {
            #expect(error.description.contains("no gRPC server answered at 127.0.0.1:\(port)"), "\(error)")
        }
        let feed = HospitalFeedScenario(connection: connection, workload: SyntheticWorkload(hospitals: Self.hospitals, seed: 5),
                                        batchSize: 5)
        let plan = LoadPlan(mode: .closed(concurrency: 2), warmupSeconds: 0, durationSeconds: 0.5, maxOperations: nil,
                            progress: false)
        let report = try await LoadEngine(plan: plan).run(feed)
        #expect(report.tally.calls > 0)
        #expect(Set(report.tally.callFailures.keys) == ["UNAVAILABLE"])
        #expect(report.tally.callFailures["UNAVAILABLE"] == report.tally.calls)
        #expect(report.tally.recordsSucceeded == 0)
        // The progress line's and the plot's rate counts landed records only, like the report's.
        #expect(report.timeline.contains { $0.records > 0 } && report.timeline.allSatisfy { $0.recordsPerSecond == 0 })
        await connection.close()

        do {
            _ = try LoadIdentity.signed(keysDirectory: "/nonexistent-keys", orgs: [SyntheticWorkload.platformOrg])
            Issue.record("keys read from a folder that does not exist")
        } catch {
            #expect(error.description.contains("cannot read /nonexistent-keys/\(SyntheticWorkload.platformOrg).pem"), "\(error)")
        }
    }
}
