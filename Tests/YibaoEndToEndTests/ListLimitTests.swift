import Foundation
import Testing
import YibaoDomain
import YibaoProto
import YibaoRPC

/// No caller makes the node scan or list without bound: every size a request may ask for has a maximum, and a
/// larger one is INVALID_ARGUMENT naming the field and the maximum. Real node, generated client.
@Suite("End to end: list and scan limits", .serialized)
struct ListLimitTests {
    @Test("ReconcileRange list_limit and scan_limit, and the page sizes of the list RPCs")
    func maximums() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        try await fixture.withRunning { node in
            let bureau = try fixture.client(port: node.port, as: .bureau)
            let platform = try fixture.client(port: node.port, as: .platform)

            func range(list: UInt32 = 0, scan: UInt32 = 0, from: String = "2024-03-01") -> Yibao_V1_ReconcileRequest {
                var range = Yibao_V1_ReconcileRange()
                range.institution = Records.hospital
                range.from = from
                range.through = "2024-03-31"
                range.listLimit = list
                range.scanLimit = scan
                var request = Yibao_V1_ReconcileRequest()
                request.target = .range(range)
                return request
            }
            let maxList = UInt32(ReconciliationBatch.maxListLimit), maxScan = UInt32(InstitutionReconciliation.maxScanLimit)
            #expect(maxList == 10_000 && maxScan == 1_000_000)
            await expectStatus(.invalidArgument, containing: "range.list_limit: must be at most 10000, got 10001", "list_limit over") {
                try await bureau.settlements.reconcile(range(list: maxList + 1))
            }
            await expectStatus(.invalidArgument, containing: "range.scan_limit: must be at most 1000000, got 4294967295", "scan_limit over") {
                try await bureau.settlements.reconcile(range(scan: .max))
            }
            for request in [range(), range(list: maxList, scan: maxScan), range(list: 1, scan: 1)] {
                let answer = try await bureau.settlements.reconcile(request)
                guard case .range(let counts) = answer.result else { Issue.record("no range report"); continue }
                #expect(counts.complete && counts.compared == 0)
            }
            // The domain's own field names are the range's in the request.
            await expectStatus(.invalidArgument, containing: "range.from: must be a date", "a bad date") {
                try await bureau.settlements.reconcile(range(from: "March"))
            }

            // The list RPCs' sizes were bounded already; they stay so.
            var trace = Yibao_V1_TraceInvoiceRequest()
            trace.invoiceCode = "46010624"
            trace.invoiceNumber = "0000000001"
            trace.limit = 10_001
            #expect(Records.codes(try await platform.invoices.issueInvoices(Records.issue("limits-issue", [Records.blueInvoice("0000000001")])).results) == [0])
            await expectStatus(.invalidArgument, containing: "limit: must be at most 10000", "TraceInvoice limit") {
                try await platform.invoices.traceInvoice(trace)
            }
            var grants = Yibao_V1_ListGrantsRequest()
            grants.certno = Records.certno
            grants.limit = 1_001
            await expectStatus(.invalidArgument, containing: "limit: must be at most 1000", "ListGrants limit") {
                try await platform.authorization.listGrants(grants)
            }
            var records = Yibao_V1_ListAccountRecordsRequest()
            records.certno = Records.certno
            records.pageSize = 1_001
            await expectStatus(.invalidArgument, containing: "page_size: must be 1 to 1000", "ListAccountRecords page_size") {
                try await platform.accounts.listAccountRecords(records)
            }

            for client in [bureau, platform] { await client.close() }
        }
    }
}
