import Foundation
import Testing
import YibaoRPC

/// Output is flushed once per event-loop tick on both sides (many calls finishing together share one socket
/// write): every call must still get its own answer, and one connection that stops reading must not hold
/// up the others.
@Suite("Coalesced output")
struct CoalescedOutputTests {
    @Test func manyConcurrentUnaryCallsOnOneConnectionGetTheirOwnAnswers() async throws {
        try await withEchoServer { server, _ in
            let client = try RPCClient(configuration: RPCClientConfiguration(port: server.port))
            // Ten times MAX_CONCURRENT_STREAMS (100): most also queue for a stream (at most 1,000 may wait).
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<1_000 {
                    group.addTask {
                        let request = Array("call \(index) ".utf8) + [UInt8](repeating: UInt8(index % 251), count: index % 300)
                        var options = RPCCallOptions()
                        options.metadata.add("x-index", String(index))
                        let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: request,
                                                              options: options)
                        let right = response.message == request
                            && response.initialMetadata.firstString("echo-x-index") == String(index)
                            && response.trailingMetadata.firstString("trailer-x-index") == String(index)
                        return right ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
            #expect(server.connectionCount == 1)
            await client.close()
        }
    }

    @Test func aConnectionWhoseSocketIsFullDoesNotHoldUpOthers() async throws {
        try await withEchoServer { server, probe in
            async let stalled = InteropClient.run(port: server.port, "h2_stalled_reader")
            // The flood is under way and its client reads nothing: the server's socket to it fills up.
            #expect(await eventually { probe.floodWrites >= 5 })
            let release = "/tmp/yibao-stalled-reader-\(server.port).release"
            defer { try? FileManager.default.removeItem(atPath: release) }
            let client = try RPCClient(configuration: RPCClientConfiguration(port: server.port))
            for index in 0..<200 {
                let request = Array("while stalled \(index)".utf8)
                let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: request)
                #expect(response.message == request)
            }
            // 64 MiB cannot have reached a reader with a 4 KiB receive buffer: it really was backed up.
            #expect(!probe.floodEnded)
            #expect(probe.floodWrites < 1_000)
            await client.close()
            _ = FileManager.default.createFile(atPath: release, contents: nil)
            let result = try await stalled
            #expect(result.first("h2-stalled-reader")?.ok == true)
        }
    }
}
