import Testing
import YibaoRPC

/// Server keepalive PINGs and the client-PING limit, against raw HTTP/2 peers (Tests/Interop/keepalive_client.py).
@Suite struct KeepaliveTests {
    func run(_ port: Int, _ arguments: String...) async throws -> InteropClient.Result {
        try await InteropClient.run(script: "keepalive_client.py", arguments: [String(port)] + arguments)
    }

    @Test func aPeerThatDoesNotAnswerPingsIsClosed() async throws {
        let result = try await withEchoServer(configure: {
            $0.keepaliveInterval = .milliseconds(100)
            $0.keepaliveTimeout = .milliseconds(200)
        }) { server, _ in try await run(server.port, "silent") }
        let record = try #require(result.first("silent"))
        #expect(record.closed == true)
        #expect((record.count ?? 0) >= 1, "the server pinged before closing")
    }

    @Test func aPeerThatAnswersPingsKeepsItsConnection() async throws {
        let result = try await withEchoServer(configure: {
            $0.keepaliveInterval = .milliseconds(50)
            $0.keepaliveTimeout = .seconds(30)
        }) { server, _ in try await run(server.port, "answering") }
        let record = try #require(result.first("answering"))
        #expect(record.count == 3)
        #expect(record.grpcStatus == "0")
        #expect(record.goaway == false)
    }

    @Test func aPingFloodGetsGoAwayEnhanceYourCalm() async throws {
        let result = try await withEchoServer(configure: {
            $0.minClientPingInterval = .minutes(5)
            $0.maxClientPingStrikes = 2
        }) { server, _ in try await run(server.port, "flood", "10") }
        let record = try #require(result.first("flood"))
        #expect(record.goaway == true)
        #expect(record.code == 0xb, "ENHANCE_YOUR_CALM")
        #expect(record.details == "too_many_pings")
        #expect(record.closed == true)
    }

    @Test func pingsWithinTheStrikesAreAnswered() async throws {
        // The first PING is free, the next two are the tolerated strikes.
        let result = try await withEchoServer(configure: {
            $0.minClientPingInterval = .minutes(5)
            $0.maxClientPingStrikes = 2
        }) { server, _ in try await run(server.port, "tolerated", "3") }
        let record = try #require(result.first("tolerated"))
        #expect(record.grpcStatus == "0")
        #expect(record.goaway == false)
    }
}
