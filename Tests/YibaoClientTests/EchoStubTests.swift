import Foundation
import NIOCore
import NIOPosix
import Testing
import YibaoClient
import YibaoProto
import YibaoRPC
import YibaoTestSupport

/// The generated `Yibao_Test_V1_EchoClient` in all four shapes, against our own server and against a stock
/// Python grpcio server (protobuf messages from protoc --python_out), plus what only grpcio shows: metadata,
/// deadlines, every status, retries, TLS and mutual TLS, a server restart.
@Suite("Generated Echo client stubs")
struct EchoStubTests {
    static let handlerExecutor = EventLoopGroupTaskExecutor(group: MultiThreadedEventLoopGroup(numberOfThreads: 2))

    static func request(_ text: String) -> Yibao_Test_V1_EchoRequest {
        var request = Yibao_Test_V1_EchoRequest()
        request.text = text
        return request
    }

    static func client(port: Int, configure: (inout RPCClientConfiguration) -> Void = { _ in }) throws
        -> Yibao_Test_V1_EchoClient {
        var configuration = RPCClientConfiguration(port: port)
        configuration.reconnectBackoff = RPCBackoff(initial: .milliseconds(20), maximum: .milliseconds(300))
        configure(&configuration)
        return Yibao_Test_V1_EchoClient(try RPCClient(configuration: configuration))
    }

    /// The four shapes through the generated stub, with typed messages both ways.
    static func exerciseFourShapes(_ echo: Yibao_Test_V1_EchoClient) async throws {
        var full = request("医保 ✓")
        full.payload = Array(0...255)
        full.repeatedInt32 = [1, -2, 3]
        full.counts = ["a": 1, "b": -2]
        let unary = try await echo.unary(full, options: RPCCallOptions(timeout: .seconds(30)))
        #expect(unary.echoed == full)

        var expand = Yibao_Test_V1_ExpandRequest()
        expand.text = "x"
        expand.count = 300
        let sequences = try await echo.expand(expand) { responses in
            var all: [UInt64] = []
            for try await response in responses {
                #expect(response.echoed?.text == "x")
                all.append(response.sequence)
            }
            return all
        }
        #expect(sequences == Array(0..<300))

        let collected = try await echo.collect { writer in
            for index in 0..<50 { try await writer.write(request("\(index),")) }
        }
        #expect(collected.echoed?.text == (0..<50).map { "\($0)," }.joined())
        #expect(collected.sequence == 50)

        let chatted = try await echo.chat(requests: { writer in
            for index in 0..<100 { try await writer.write(request("c\(index)")) }
        }, responses: { responses in
            var texts: [String] = []
            for try await response in responses { texts.append(response.echoed?.text ?? "") }
            return texts
        })
        #expect(chatted == (0..<100).map { "c\($0)" })
    }

    @Test func fourShapesAgainstOurServer() async throws {
        var configuration = RPCServerConfiguration()
        configuration.handlerExecutor = Self.handlerExecutor
        let server = try await RPCServer.start(router: TypedEchoServer.router(), configuration: configuration)
        let echo = try Self.client(port: server.port)
        try await Self.exerciseFourShapes(echo)
        await #expect(throws: GRPCStatus(.permissionDenied, "not yours")) {
            _ = try await echo.unary(Self.request("fail:7:not yours"))
        }
        await echo.client.close()
        await server.shutdown()
    }

    @Test func fourShapesAgainstGrpcio() async throws {
        try await PythonEchoServer.withRunning { python in
            let echo = try Self.client(port: python.port)
            try await Self.exerciseFourShapes(echo)
            await echo.client.close()
        }
    }

    @Test func metadataBothWaysWithGrpcio() async throws {
        try await PythonEchoServer.withRunning { python in
            let client = try Self.client(port: python.port).client
            var options = RPCCallOptions()
            options.metadata.add("x-org", "H46010600001")
            options.metadata.add("x-signature-bin", bytes: [0, 0xFF, 0x10, 0x80])
            let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: Self.request("m").encoded(),
                                                  options: options)
            #expect(response.initialMetadata.firstString("echo-x-org") == "H46010600001")
            #expect(response.initialMetadata.firstBytes("echo-x-signature-bin") == [0, 0xFF, 0x10, 0x80])
            #expect(response.trailingMetadata.firstString("trailer-x-org") == "H46010600001")
            #expect(response.trailingMetadata.firstBytes("trailer-x-signature-bin") == [0, 0xFF, 0x10, 0x80])
            await client.close()
        }
    }

    @Test func everyStatusAndAnExpiringDeadlineFromGrpcio() async throws {
        try await PythonEchoServer.withRunning { python in
            let echo = try Self.client(port: python.port)
            for code in GRPCStatus.Code.allCases where code != .ok {
                let message = "bad \(code) 100% ✗"
                do {
                    // Not idempotent (the generated Unary would retry UNAVAILABLE): one attempt each.
                    var options = RPCCallOptions()
                    options.idempotent = false
                    _ = try await RPCTypedCalls.unary(echo.client, path: "/yibao.test.v1.Echo/Unary",
                                                      request: Self.request("fail:\(code.rawValue):\(message)"),
                                                      options: options) as Yibao_Test_V1_EchoResponse
                    Issue.record("\(code) did not fail")
                } catch let status as GRPCStatus {
                    #expect(status.code == code)
                    #expect(status.message == message)
                }
            }
            do {
                _ = try await echo.unary(Self.request("sleep"), options: RPCCallOptions(timeout: .milliseconds(300)))
                Issue.record("sleep returned")
            } catch let status as GRPCStatus {
                #expect(status.code == .deadlineExceeded)
            }
            await echo.client.close()
        }
    }

    @Test func idempotentCallIsRetriedOnUnavailableOthersAreNot() async throws {
        try await PythonEchoServer.withRunning { python in
            let echo = try Self.client(port: python.port) { $0.maxAttempts = 3 }
            // Unary is `idempotency_level = IDEMPOTENT` in echo.proto: two UNAVAILABLE answers, then OK on try 3.
            let response = try await echo.unary(Self.request("flaky:generated"))
            #expect(response.sequence == 3)
            // The same through a non-idempotent call: the first UNAVAILABLE is final.
            do {
                _ = try await echo.client.unary(path: "/yibao.test.v1.Echo/Unary",
                                                request: Self.request("flaky:raw").encoded())
                Issue.record("non-idempotent call was retried into success")
            } catch let status as GRPCStatus {
                #expect(status.code == .unavailable)
                #expect(status.message == "flaky attempt 1")
            }
            await echo.client.close()
        }
    }

    @Test func reconnectsAfterGrpcioRestartsAndFailsFastWhenAsked() async throws {
        try await PythonEchoServer.withRunning { first in
            let port = first.port
            let echo = try Self.client(port: port)
            let fastFailing = try Self.client(port: port) { $0.failFastWhenDisconnected = true }
            #expect(try await echo.unary(Self.request("one")).echoed?.text == "one")
            #expect(try await fastFailing.unary(Self.request("one")).echoed?.text == "one")
            await first.stop()
            do {
                _ = try await fastFailing.unary(Self.request("down"))
                Issue.record("call succeeded with the server down")
            } catch let status as GRPCStatus {
                #expect(status.code == .unavailable)
            }
            // A waiting call made while the server is down completes once it is back (within its deadline).
            let waiting = Task { try await echo.unary(Self.request("two"), options: RPCCallOptions(timeout: .seconds(60))) }
            try await PythonEchoServer.withRunning(port: port) { _ in
                let two = try await waiting.value
                #expect(two.echoed?.text == "two")
            }
            await echo.client.close()
            await fastFailing.client.close()
        }
    }

    @Test func mutualTLSAndServerTLSWithGrpcio() async throws {
        let certificates = try await TestCertificates.shared.value
        var tls = TLSClientConfiguration(trustedCA: .file(certificates.path("ca.pem")),
                                         certificateChain: .file(certificates.path("client.pem")),
                                         privateKey: .file(certificates.path("client.key")))
        tls.log = { _ in }
        let withCertificate = tls
        tls.certificateChain = nil
        tls.privateKey = nil
        let withoutCertificate = tls
        try await PythonEchoServer.withRunning(tls: ("--mtls", certificates.directory)) { mutual in
            let echo = try Self.client(port: mutual.port) { $0.tls = withCertificate; $0.host = "localhost" }
            #expect(try await echo.unary(Self.request("peer")).echoed?.text == TestCertificates.clientCommonName)
            try await Self.exerciseFourShapes(echo)
            await echo.client.close()

            // No client certificate: grpcio refuses the handshake.
            let anonymous = try Self.client(port: mutual.port) { $0.tls = withoutCertificate; $0.failFastWhenDisconnected = true }
            await #expect(throws: GRPCStatus.self) { _ = try await anonymous.unary(Self.request("peer")) }
            await anonymous.client.close()
        }

        try await PythonEchoServer.withRunning(tls: ("--tls", certificates.directory)) { serverOnly in
            let plain = try Self.client(port: serverOnly.port) { $0.tls = withoutCertificate }
            #expect(try await plain.unary(Self.request("hello")).echoed?.text == "hello")
            await plain.client.close()
        }
    }
}
