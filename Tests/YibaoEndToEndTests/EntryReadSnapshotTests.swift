import Foundation
import Testing
import YibaoLedger
import YibaoProto
import YibaoRPC

/// A trace page and a stream's catch-up read their entries in one LMDB read transaction per page / chunk, not one
/// per entry: the ledger's count of read snapshots does not grow with the page. Real node, generated client.
@Suite("End to end: one read snapshot per page", .serialized)
struct EntryReadSnapshotTests {
    @Test("TraceInvoice and TraceSettlement pages, and StreamEntries catching up")
    func pagesAndChunks() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        // No audit anchor (a read and an entry every minute) in the middle of a count.
        try await fixture.withRunning(adjust: { $0.auditAnchorInterval = .seconds(3600) }) { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let bureau = try fixture.client(port: node.port, as: .bureau)
            let hospital = try fixture.client(port: node.port, as: .hospital)
            let auditor = try fixture.client(port: node.port, as: .auditor)
            let blue = Records.blueInvoice("0000000001", setlId: "S460106202403010001")
            #expect(Records.codes(try await platform.invoices.issueInvoices(Records.issue("snap-issue", [blue])).results) == [0])
            #expect(Records.codes(try await hospital.settlements.uploadSettlements(
                Records.upload("snap-upload", [Records.settlement("S460106202403010001")])).results) == [0])
            for round in 0..<3 {
                _ = try await bureau.invoices.lockInvoice(Records.action("snap-lock-\(round)", blue))
                _ = try await bureau.invoices.unlockInvoice(Records.action("snap-unlock-\(round)", blue))
            }

            /// The trace page and how many read snapshots the ledger opened to answer it.
            func trace(limit: UInt32) async throws -> (steps: [UInt64], snapshots: UInt64) {
                var request = Yibao_V1_TraceInvoiceRequest()
                request.invoiceCode = blue.invoiceCode
                request.invoiceNumber = blue.invoiceNumber
                request.limit = limit
                let before = node.ledger.readTransactionCount
                let page = try await platform.invoices.traceInvoice(request)
                return (page.steps.map(\.ledgerIndex), node.ledger.readTransactionCount - before)
            }
            let one = try await trace(limit: 1)
            let all = try await trace(limit: 0)
            #expect(one.steps.count == 1 && all.steps.count == 8, "issue, the link by upload, three locks and unlocks")
            #expect(all.snapshots == one.snapshots, "a page of 8 opens as many snapshots as a page of 1: \(all.snapshots) vs \(one.snapshots)")

            // Invoices issued after the upload name it: each is a step of the settlement's trace.
            let later = (2...4).map { Records.blueInvoice("000000000\($0)", setlId: "S460106202403010001") }
            #expect(Records.codes(try await platform.invoices.issueInvoices(Records.issue("snap-later", later)).results) == [0, 0, 0])
            func settlementTrace(limit: UInt32) async throws -> (steps: Int, snapshots: UInt64) {
                var request = Yibao_V1_TraceSettlementRequest()
                request.setlId = "S460106202403010001"
                request.limit = limit
                let before = node.ledger.readTransactionCount
                let page = try await hospital.settlements.traceSettlement(request)
                return (page.steps.count, node.ledger.readTransactionCount - before)
            }
            let firstStep = try await settlementTrace(limit: 1)
            let everyStep = try await settlementTrace(limit: 0)
            #expect(firstStep.steps == 1 && everyStep.steps == 4, "the upload and three later invoices")
            #expect(everyStep.snapshots == firstStep.snapshots, "\(everyStep.snapshots) vs \(firstStep.snapshots)")

            // Catch-up: every entry so far from one snapshot (they fit one chunk), then live polling opens none.
            let size = node.ledger.treeSize
            #expect(size < 256)
            var streamRequest = Yibao_V1_StreamEntriesRequest()
            streamRequest.fromIndex = 0
            let beforeStream = node.ledger.readTransactionCount
            let streamed = try await auditor.ledger.streamEntries(streamRequest) { entries in
                var indexes: [UInt64] = []
                for try await entry in entries {
                    indexes.append(entry.ledgerIndex)
                    if entry.ledgerIndex + 1 == size { break }
                }
                return indexes
            }
            #expect(streamed == Array(0..<size))
            #expect(node.ledger.readTransactionCount - beforeStream == 1, "\(size) entries caught up from one read snapshot")

            for client in [platform, bureau, hospital, auditor] { await client.close() }
        }
    }

    @Test("GetEntry and StreamEntries ask the permission matrix: writer, node-written, auditors; refusals audited")
    func entryReadRule() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        // No audit anchor (a read and an entry every minute) in the middle of a count.
        try await fixture.withRunning(adjust: { $0.auditAnchorInterval = .seconds(3600) }) { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let hospital = try fixture.client(port: node.port, as: .hospital)
            let bank = try fixture.client(port: node.port, as: .bank)
            let auditor = try fixture.client(port: node.port, as: .auditor)
            let issued = try await platform.invoices.issueInvoices(Records.issue("rule-issue", [Records.blueInvoice("0000000001")]))
            let receipt = try #require(Records.receipts(issued.results).first)
            func get(_ index: UInt64) -> Yibao_V1_GetEntryRequest {
                var request = Yibao_V1_GetEntryRequest()
                request.entry = .ledgerIndex(index)
                return request
            }
            #expect(try await platform.ledger.getEntry(get(receipt.ledgerIndex)).entry?.org == EndToEndNode.Org.platform.rawValue)
            #expect(try await bank.ledger.getEntry(get(0)).entry?.kindName == "genesis", "node-written entries for every org")
            #expect(try await bank.ledger.getEntry(get(receipt.ledgerIndex + 1)).entry?.kindName == "batch_seal")
            await expectStatus(.permissionDenied, containing: "may not read_entry: it was written by org \(EndToEndNode.Org.platform.rawValue)",
                               "a hospital reads the platform's entry") {
                try await hospital.ledger.getEntry(get(receipt.ledgerIndex))
            }
            #expect(try await auditor.ledger.getEntry(get(receipt.ledgerIndex)).entry?.leafBytes.isEmpty == false)
            var stream = Yibao_V1_StreamEntriesRequest()
            stream.fromIndex = 0
            await expectStatus(.permissionDenied, containing: "may not stream_entries: only auditors and regulators", "a bank streams") {
                try await bank.ledger.streamEntries(stream) { entries in for try await _ in entries {} }
            }
            let events = try node.audit.events(limit: 1_000).map(\.event)
            #expect(events.contains { $0.reason == .refusedRead && $0.action == "read_entry" && $0.org == EndToEndNode.Org.hospital.rawValue })
            #expect(events.contains { $0.reason == .auditorRead && $0.action == "read_entry" && $0.subject == "entry \(receipt.ledgerIndex)" })
            #expect(events.contains { $0.reason == .refusedRead && $0.action == "stream_entries" && $0.org == EndToEndNode.Org.bank.rawValue })
            for client in [platform, hospital, bank, auditor] { await client.close() }
        }
    }
}
