import Foundation
import Testing
import YibaoProto
import YibaoTestSupport

/// `yibao rebuild-state` SIGKILLed while it copies the rebuilt state in: the node then refuses the store (no
/// recorded state format) rather than serve half a state; running the command again finishes the job, the store
/// verifies offline, and the node serves what the entries hold.
@Suite("End to end: rebuild-state killed midway", .serialized)
struct RebuildStateTests {
    @Test func aRebuildKilledMidwayIsFinishedByRunningItAgain() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        let visits = 150
        let setlIds = (1...visits).map { String(format: "S460106202403%06d", $0) }
        let invoices = (1...visits).map { Records.blueInvoice(String(format: "%010d", $0), setlId: setlIds[$0 - 1]) }
        try await fixture.withRunning { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let hospital = try fixture.client(port: node.port, as: .hospital)
            let issued = try await platform.invoices.issueInvoices(Records.issue("rebuild-issue", invoices)).results
            let uploaded = try await hospital.settlements.uploadSettlements(Records.upload("rebuild-up", setlIds.map(Records.settlement))).results
            #expect(Records.codes(issued) == Array(repeating: 0, count: visits))
            #expect(Records.codes(uploaded) == Array(repeating: 0, count: visits))
            await platform.close()
            await hospital.close()
        }
        let data = fixture.dataDirectory

        // One key per transaction (one fsync each) keeps the copy going long enough to be killed inside it.
        let finishedAnyway = try await withRunningChild(Binaries.path("yibao"),
                                                        ["rebuild-state", "--data", data, "--keys-per-transaction", "1"],
                                                        environment: Binaries.environment([:]), stopSignal: SIGKILL) { child in
            let clock = ContinuousClock()
            let end = clock.now + .seconds(120)
            while child.isRunning && !child.stderr.contains("rebuild-state: copying ") && clock.now < end {
                try await Task.sleep(for: .milliseconds(5))
            }
            await child.stop(signal: SIGKILL)
            return child.stdout.contains("rebuilt the state from")
        }
        try #require(!finishedAnyway, "the rebuild finished before it could be killed; the test proves nothing")

        do {
            let node = try await fixture.start()
            await node.shutdown()
            Issue.record("a node opened a store whose state was half rebuilt")
        } catch {
            #expect("\(error)".contains("no recorded format") && "\(error)".contains("yibao rebuild-state"), "\(error)")
        }
        let again = try await Binaries.run("yibao", ["rebuild-state", "--data", data])
        #expect(again.status == 0 && again.stdout.contains("rebuilt the state from") && again.stdout.contains("(no recorded format -> format 2)"),
                "\(again)")
        let verified = try await Binaries.run("yibao", ["verify", "--data", data])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("OK:"), "\(verified)")

        try await fixture.withRunning { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            for index in [0, visits / 2, visits - 1] {
                let invoice = try await platform.invoices.getInvoice(Records.getInvoice(invoices[index]))
                #expect(invoice.invoice?.invoiceNumber == invoices[index].invoiceNumber)
                #expect(invoice.state?.setlId == setlIds[index])
            }
            await platform.close()
        }
    }
}
