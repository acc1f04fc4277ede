import NIOCore
import Testing
import YibaoRPC

/// `handlersOnConnectionLoop`: handler tasks run on their connection's event loop. Every call shape, many
/// concurrent calls, and cancellation must behave as with handlers on threads of their own.
@Suite("Handlers on the connection's event loop")
struct ConnectionLoopHandlerTests {
    @Test func everyShapeAndManyConcurrentCalls() async throws {
        try await withEchoServer(configure: { $0.handlersOnConnectionLoop = true }) { server, _ in
            let client = try RPCClient(configuration: RPCClientConfiguration(port: server.port))
            let received = try await client.serverStreaming(path: "/yibao.test.v1.Echo/Expand",
                                                            request: ClientTests.expandRequest(300, "xyz")) { responses in
                var count = 0
                for try await message in responses where message == Array("xyz".utf8) { count += 1 }
                return count
            }
            #expect(received == 300)
            let joined = try await client.clientStreaming(path: "/yibao.test.v1.Echo/Collect") { writer in
                for index in 0..<50 { try await writer.write(Array("\(index),".utf8)) }
            }
            #expect(String(decoding: joined.message, as: UTF8.self) == (0..<50).map { "\($0)," }.joined())
            let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        let request = Array("loop \(index)".utf8)
                        let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: request)
                        return response.message == request ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wrong == 0)
            await client.close()
        }
    }

    @Test func aResetCancelsAHandlerOnTheLoop() async throws {
        try await withEchoServer(configure: { $0.handlersOnConnectionLoop = true }) { server, probe in
            let client = try RPCClient(configuration: RPCClientConfiguration(port: server.port))
            let call = Task { try await client.unary(path: "/yibao.test.v1.Echo/Sleep", request: []) }
            #expect(await eventually { probe.sleeps == 1 })
            call.cancel()  // RST_STREAM(CANCEL): the server cancels the handler's task
            #expect(await eventually { probe.cancelledSleeps == 1 })
            await #expect(throws: GRPCStatus.self) { try await call.value }
            // The loop is still serving.
            let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [1, 2, 3])
            #expect(response.message == [1, 2, 3])
            await client.close()
        }
    }
}
