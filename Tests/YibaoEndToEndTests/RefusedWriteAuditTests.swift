import Foundation
import Testing
import YibaoLedger
import YibaoProto
import YibaoRPC

/// docs/requirements.md, Parties: a write the permission matrix refuses leaves a trace in the audit log. A batch's refusals cost one
/// audit commit, not one per record; and once the batch is committed, a failure to record them does not turn the
/// caller's answer into an error (its receipts are real). Real node, real LMDB audit trail, generated client.
@Suite("End to end: the audit of refused writes", .serialized)
struct RefusedWriteAuditTests {
    static let foreignHospital = "H46010600002"

    /// One settlement of the caller's own, then `foreign` settlements of another hospital (refused).
    static func mixedUpload(_ requestId: String, foreign: Int) -> Yibao_V1_UploadSettlementsRequest {
        var settlements = [Records.settlement("S460106202403010001")]
        for i in 0..<foreign {
            var other = Records.settlement("S46010620240301\(String(format: "%04d", 100 + i))")
            other.fixmedinsCode = foreignHospital
            settlements.append(other)
        }
        return Records.upload(requestId, settlements)
    }

    @Test("a batch with five refused records: five events, named by the request, in one audit commit")
    func oneCommitPerBatch() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        try await fixture.withRunning { node in
            let hospital = try fixture.client(port: node.port, as: .hospital)
            let commitsBefore = node.audit.commitCount
            let eventsBefore = try node.audit.events(limit: 10_000).count
            let results = try await hospital.settlements.uploadSettlements(Self.mixedUpload("audit-batch", foreign: 5)).results
            #expect(Records.codes(results) == [0, 7, 7, 7, 7, 7])
            if case .error(let error) = results[3].outcome {
                #expect(error.message.contains(Self.foreignHospital), "\(error.message)")
            }
            #expect(node.audit.commitCount - commitsBefore == 1, "one audit commit for the batch's five refusals")
            let events = try node.audit.events(limit: 10_000).dropFirst(eventsBefore).map(\.event)
            #expect(events.map(\.reason) == Array(repeating: .refusedWrite, count: 5))
            #expect(events.map(\.subject) == (1...5).map { "request audit-batch settlements[\($0)]" })
            #expect(events.allSatisfy { $0.org == EndToEndNode.Org.hospital.rawValue && $0.role == "hospital" && $0.outcome.hasPrefix("PERMISSION_DENIED: ") })
            #expect(try node.audit.verify().isValid)
            // A single-record write's refusal is named by its request alone.
            await expectStatus(.permissionDenied, containing: "lock_invoice", "a hospital locks") {
                try await hospital.invoices.lockInvoice(Records.action("audit-lock", Records.blueInvoice("0000000001")))
            }
            #expect(try node.audit.events(limit: 10_000).last?.event.subject == "request audit-lock")
            await hospital.close()
        }
    }

    @Test("the audit trail refuses to record: the caller still gets the committed batch's real result")
    func auditFailureKeepsTheBatchResult() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        try await fixture.withRunning(adjust: { configuration in
            configuration.audit.capacity = 0  // every event is refused (RESOURCE_EXHAUSTED) before it is queued
        }) { node in
            let hospital = try fixture.client(port: node.port, as: .hospital)
            let results = try await hospital.settlements.uploadSettlements(Self.mixedUpload("audit-full", foreign: 2)).results
            #expect(Records.codes(results) == [0, 7, 7], "the receipt and the refusals, not RESOURCE_EXHAUSTED")
            let receipt = try #require(Records.receipts(results).first)
            #expect(try node.ledger.entry(at: receipt.ledgerIndex).leafHash.bytes == receipt.txHash, "the batch was committed")
            #expect(try node.service.settlement("S460106202403010001") != nil)
            // A single-record write answers its own refusal, not the audit trail's.
            await expectStatus(.permissionDenied, containing: "lock_invoice", "a hospital locks while the audit trail refuses") {
                try await hospital.invoices.lockInvoice(Records.action("audit-full-lock", Records.blueInvoice("0000000001")))
            }
            #expect(try node.audit.events(limit: 10).isEmpty)
            await hospital.close()
        }
    }
}
