import Testing
import YibaoProto
import YibaoRPC

/// RESOURCE_EXHAUSTED: a node whose write queue holds one batch, hit by many concurrent batches, refuses some as
/// overloaded, lands every other one whole, and keeps serving.
@Suite("End to end: overload", .serialized)
struct OverloadTests {
    @Test("a full write queue answers RESOURCE_EXHAUSTED; everything admitted lands; the node keeps serving")
    func overload() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        let node = try await fixture.start { configuration in
            configuration.ledger.queueCapacityRecords = 2
            configuration.durable = true        // fsync'd commits keep the writer busy while calls arrive
            configuration.handlerThreads = 4
        }
        let platform = try fixture.client(port: node.port, as: .platform, connections: 4)
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<120 {
                let request = Records.issue("overload-\(i)", [Records.blueInvoice(String(format: "%010d", 1_000_000 + 2 * i)),
                                                              Records.blueInvoice(String(format: "%010d", 1_000_001 + 2 * i))])
                group.addTask {
                    do {
                        return "\(Records.codes(try await platform.invoices.issueInvoices(request).results))"
                    } catch let status as GRPCStatus {
                        return status.code == .resourceExhausted && status.message.contains("overloaded") ? "exhausted" : "\(status)"
                    }
                }
            }
            var outcomes: [String] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.contains("exhausted"), "some batches were refused as overloaded")
        #expect(outcomes.allSatisfy { $0 == "exhausted" || $0 == "[0, 0]" }, "\(Set(outcomes))")
        _ = try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
        await platform.close()
        await node.shutdown()
    }
}
