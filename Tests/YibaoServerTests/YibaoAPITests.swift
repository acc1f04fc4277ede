import Foundation
import Testing
import YibaoCrypto
import YibaoLedger
import YibaoRPC
@testable import YibaoServer

/// The Yibao API end to end: a real node (LMDB, OpenSSL, sockets) on a free loopback port, driven by Python grpcio.
/// Each test starts its own node on its own folder, so their ledgers do not meet.
@Suite("Yibao API over grpcio", .serialized)
struct YibaoAPITests {
    @Test("every method, every error mapping, mixed batches, the invoice lifecycle, proofs checked with the client's own SM3")
    func flow() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let (run, report, events, trail) = try await fixture.node.withRunningNode { node in
            let run = try await PythonAPIClient.run(port: node.port, keys: fixture.keysDirectory, ["flow"])
            // The whole store replays: every attested seal, and every signed call it keeps, checks out offline.
            return (run, try node.ledger.verify(expectedNodeKey: fixture.nodeKey.publicKey),
                    try node.audit.events(limit: 10_000).map(\.event), try node.audit.verify())
        }
        PythonAPIClient.expectAllPassed(run, ["flow"], minimumChecks: 100)
        // docs/requirements.md, Parties and Security: PII reads, reads under a grant, auditor reads and refusals are in the audit trail.
        #expect(trail.isValid && trail.events == events.count)
        #expect(Set(events.map(\.reason)) == Set(AuditEvent.Reason.allCases))
        #expect(events.contains { $0.reason == .underGrant && $0.org == "C46000000001" && $0.subject == "invoice 46010624/0000000001" })
        #expect(events.contains { $0.reason == .refusedWrite && $0.org == "H46010600001" })
        #expect(!events.contains { $0.subject.contains("11010519491231002X") || $0.outcome.contains("11010519491231002X") })
        #expect(report.isValid, "\(report)")
        #expect(report.seals >= 14, "\(report)")  // one per write batch that landed
    }

    @Test("signed metadata: good, bad key, stale, future, other method, other request, missing, unsigned")
    func identity() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let run = try await fixture.node.withRunningNode { node in
            try await PythonAPIClient.run(port: node.port, keys: fixture.keysDirectory, ["identity"])
        }
        PythonAPIClient.expectAllPassed(run, ["identity"], minimumChecks: 11)
    }

    @Test("development mode takes the org's word, still checks a signature that is sent")
    func developmentMode() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let run = try await fixture.node.withRunningNode(developmentMode: true) { node in
            try await PythonAPIClient.run(port: node.port, keys: fixture.keysDirectory, ["dev"])
        }
        PythonAPIClient.expectAllPassed(run, ["dev"], minimumChecks: 6)
    }

    @Test("FeedSettlements and StreamEntries: batches in, receipts out in order; a live entry stream")
    func streams() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let run = try await fixture.node.withRunningNode { node in
            try await PythonAPIClient.run(port: node.port, keys: fixture.keysDirectory, ["feed", "stream"])
        }
        PythonAPIClient.expectAllPassed(run, ["feed", "stream"], minimumChecks: 9)
    }

    @Test("a full write queue answers RESOURCE_EXHAUSTED, and the node keeps serving")
    func overload() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let run = try await fixture.node.withRunningNode(adjust: { configuration in
            configuration.ledger.queueCapacityRecords = 2  // one batch of two fills it
            configuration.durable = true                   // fsync'd commits keep the writer busy while calls arrive
            configuration.handlerThreads = 4
        }) { node in
            try await PythonAPIClient.run(port: node.port, keys: fixture.keysDirectory, ["overload", "proof"])
        }
        PythonAPIClient.expectAllPassed(run, ["overload", "proof"], minimumChecks: 10)
    }

    @Test("a restarted node keeps its data: the same request answers the same receipt, the proof still verifies")
    func restart() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let (before, sizeBefore) = try await fixture.node.withRunningNode { first in
            (try await PythonAPIClient.run(port: first.port, keys: fixture.keysDirectory, ["proof"]), first.ledger.treeSize)
        }
        PythonAPIClient.expectAllPassed(before, ["proof"], minimumChecks: 8)

        let (after, report) = try await fixture.node.withRunningNode { second in
            #expect(second.ledger.treeSize >= sizeBefore)
            // The first node anchored its audit trail's head in the ledger at shutdown; the trail still holds it.
            let anchor = try #require(try second.ledger.latestAuditAnchor())
            #expect(try second.audit.verify(anchor: anchor).isValid)
            return (try await PythonAPIClient.run(port: second.port, keys: fixture.keysDirectory, ["proof"]),
                    try second.ledger.verify(expectedNodeKey: fixture.nodeKey.publicKey))
        }
        PythonAPIClient.expectAllPassed(after, ["proof"], minimumChecks: 8)
        let receiptBefore = try #require(before.value("receipt"))
        #expect(after.value("receipt") == receiptBefore)
        #expect(report.isValid, "\(report)")
        #expect(report.entries >= sizeBefore)
    }

    @Test("mutual TLS: the client certificate's CN is the org; an unregistered CN is refused")
    func mutualTLS() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        let tls = try await OrgCertificates.make(in: fixture.keysDirectory, clientCodes: ["H46010600001", "X99999999999"])
        let (run, report) = try await fixture.node.withRunningNode(adjust: { configuration in
            configuration.tls = TLSConfiguration(certificateChain: .file(tls + "/node.pem"), privateKey: .file(tls + "/node.key"),
                                                 clientCA: .file(tls + "/ca.pem"), clientAuthentication: .required)
            configuration.tls?.log = { _ in }
        }) { node in
            (try await PythonAPIClient.run(port: node.port, keys: fixture.keysDirectory, ["mtls"]),
             try node.ledger.verify(expectedNodeKey: fixture.nodeKey.publicKey))
        }
        #expect(report.isValid, "\(report)")
        PythonAPIClient.expectAllPassed(run, ["mtls"], minimumChecks: 5)
    }

    @Test("a second node on the same folder is refused")
    func secondNodeRefused() async throws {
        let fixture = try NodeFixture()
        defer { fixture.remove() }
        try await fixture.node.withRunningNode { _ in
            await #expect(throws: (any Error).self) { _ = try await fixture.node.start() }
        }
    }
}
