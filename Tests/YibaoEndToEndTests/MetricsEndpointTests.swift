import Foundation
import Testing
import YibaoProto
import YibaoRPC
import YibaoServer
import YibaoTestSupport

/// The Prometheus endpoint of a real node, scraped by Python's stock HTTP client: per-method calls by status and
/// their latency histograms, the engine's group commits, and the levels read at scrape time.
@Suite("End to end: the metrics endpoint", .serialized)
struct MetricsEndpointTests {
    @Test("calls, statuses, group commits and levels, scraped over HTTP")
    func scrapedMetrics() async throws {
        guard InteropPython.isAvailable() else { return }
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        try await fixture.withRunning(adjust: { $0.metricsPort = 0 }) { node in
            let port = try #require(node.metricsPort)
            let platform = try fixture.client(port: node.port, as: .platform)
            for _ in 0..<3 { _ = try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest()) }
            var missing = Yibao_V1_GetInvoiceRequest()
            missing.invoiceCode = "46010624"
            missing.invoiceNumber = "0000009999"
            await #expect(throws: GRPCStatus.self) { try await platform.invoices.getInvoice(missing) }
            let issued = try await platform.invoices.issueInvoices(Records.issue("metrics-issue", [Records.blueInvoice("0000000001")]))
            #expect(Records.codes(issued.results) == [0])
            let unsigned = try fixture.client(port: node.port, as: nil)
            await #expect(throws: GRPCStatus.self) { try await unsigned.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest()) }

            let scrape = try #require(try await InteropPython.run("scrape_metrics.py", ["http://127.0.0.1:\(port)"]))
            #expect(scrape.status == 0, "\(scrape)")
            let (head, body) = Self.split(scrape.stdout)
            #expect(head.contains("/metrics GET 200 text/plain; version=0.0.4; charset=utf-8"), "\(head)")
            #expect(head.contains("/other GET 404"), "\(head)")
            #expect(head.contains("/metrics POST 405"), "\(head)")
            let samples = Self.samples(body)

            let treeHead = "/yibao.v1.LedgerService/GetTreeHead"
            #expect(samples[#"yibao_rpc_calls_total{method="\#(treeHead)",code="OK"}"#] == 3, "\(body)")
            #expect(samples[#"yibao_rpc_calls_total{method="\#(treeHead)",code="UNAUTHENTICATED"}"#] == 1, "\(body)")
            #expect(samples[#"yibao_rpc_calls_total{method="/yibao.v1.InvoiceService/GetInvoice",code="NOT_FOUND"}"#] == 1, "\(body)")
            #expect(samples[#"yibao_rpc_calls_total{method="/yibao.v1.InvoiceService/IssueInvoices",code="OK"}"#] == 1, "\(body)")
            #expect(samples[#"yibao_rpc_call_duration_seconds_count{method="\#(treeHead)"}"#] == 4, "\(body)")
            #expect(samples[#"yibao_rpc_call_duration_seconds_bucket{method="\#(treeHead)",le="+Inf"}"#] == 4, "\(body)")

            // The registry and the invoice are committed groups; each group's records and commit time are recorded.
            let groups = try #require(samples["yibao_ledger_groups_committed_total"], "\(body)")
            #expect(groups >= 2)
            #expect(samples["yibao_ledger_group_records_count"] == groups)
            #expect(samples["yibao_ledger_group_commit_seconds_count"] == groups)
            #expect((samples["yibao_ledger_group_records_sum"] ?? 0) >= 2)
            #expect(samples["yibao_ledger_tree_size"] == Double(node.ledger.treeSize))
            #expect(samples["yibao_ledger_write_queue_records"] == 0)
            #expect(samples["yibao_audit_backlog_events"] == 0)
            #expect((samples["yibao_rpc_connections_open"] ?? 0) >= 1, "the platform's client is connected")
            #expect(samples["yibao_rpc_connections_evicted_total"] == 0)
            #expect(samples["yibao_rpc_response_buffer_bytes"] != nil)
            for client in [platform, unsigned] { await client.close() }
        }
    }

    private static func split(_ output: String) -> (head: String, body: String) {
        guard let marker = output.range(of: "\n---\n") else { return (output, "") }
        return (String(output[..<marker.lowerBound]), String(output[marker.upperBound...]))
    }

    /// `name{labels} value` lines by their name and labels, as printed.
    private static func samples(_ body: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
