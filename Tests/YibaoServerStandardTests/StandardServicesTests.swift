import Foundation
import NIOCore
import NIOPosix
import Testing
import YibaoProto
import YibaoRPC
import YibaoServer
import YibaoTestSupport

/// Health and reflection against stock grpcio with messages encoded by Python's reference protobuf.
@Suite struct StandardServicesTests {
    static let handlerExecutor = EventLoopGroupTaskExecutor(group: MultiThreadedEventLoopGroup(numberOfThreads: 2))

    /// An Echo server (Unary, over the generated messages) with health, reflection and a control method the
    /// Python side uses to change a service's health while it watches (`name=SERVING|NOT_SERVING|CLEAR`).
    func withServer<T>(_ body: (RPCServer, HealthStatusBoard) async throws -> T) async throws -> T {
        let board = HealthStatusBoard()
        board.setStatus(.serving, for: "yibao.test.v1.Echo")
        var router = RPCRouter()
        router.register("/yibao.test.v1.Echo/Unary", .unary { bytes, _ in
            let request = try Yibao_Test_V1_EchoRequest(decoding: Array(bytes.readableBytesView),
                                                        maxSize: ProtoLimits.defaultMaxMessageSize)
            var response = Yibao_Test_V1_EchoResponse()
            response.echoed = request
            return ByteBuffer(bytes: response.encoded())
        })
        router.register("/yibao.test.v1.HealthControl/Set", .unary { bytes, _ in
            let command = String(decoding: bytes.readableBytesView, as: UTF8.self).split(separator: "=")
            guard command.count == 2 else { throw GRPCStatus(.invalidArgument, "expected name=STATUS") }
            let service = String(command[0])
            switch command[1] {
            case "SERVING": board.setStatus(.serving, for: service)
            case "NOT_SERVING": board.setStatus(.notServing, for: service)
            default: board.clearStatus(for: service)
            }
            return ByteBuffer()
        })
        StandardServices.register(in: &router, health: board)
        var configuration = RPCServerConfiguration()
        configuration.handlerExecutor = Self.handlerExecutor
        let server = try await RPCServer.start(router: router, configuration: configuration)
        do {
            let result = try await body(server, board)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    func run(_ port: Int, _ scenarios: String...) async throws -> [[String: Any]] {
        try await PythonPeer.run("standard_services_client.py",
                                 [String(port), InteropPython.protos] + scenarios)
    }

    @Test func healthCheckAnswersKnownServicesAndNotFoundOtherwise() async throws {
        let records = try await withServer { server, _ in try await run(server.port, "health") }
        let checks = records.filter { $0["scenario"] as? String == "health-check" }
        #expect(checks.map { $0["service"] as? String } == ["", "yibao.test.v1.Echo"])
        // The server as a whole is SERVING from the start; Echo because the node said so.
        #expect(checks.map { $0["status"] as? String } == ["SERVING", "SERVING"])
        let unknown = try #require(records.first { $0["scenario"] as? String == "health-check-unknown" })
        #expect(unknown["code"] as? Int == GRPCStatus.Code.notFound.rawValue)
        #expect((unknown["details"] as? String)?.contains("no.such.Service") == true)
        let garbage = try #require(records.first { $0["scenario"] as? String == "health-check-garbage" })
        #expect(garbage["code"] as? Int == GRPCStatus.Code.internal.rawValue)
        #expect((garbage["details"] as? String)?.contains("grpc.health.v1.HealthCheckRequest") == true)
    }

    @Test func healthWatchStreamsChangesOnlyAndEndsWithTheClient() async throws {
        let (records, board) = try await withServer { server, board in
            (try await run(server.port, "health-watch"), board)
        }
        let watch = try #require(records.first { $0["scenario"] as? String == "health-watch" })
        // SERVICE_UNKNOWN first; a repeated SERVING is not sent again; CLEAR makes it unknown again.
        #expect(watch["statuses"] as? [String] == ["SERVICE_UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"])
        #expect(await eventually { board.watcherCount == 0 })
    }

    @Test(arguments: ["v1", "v1alpha"])
    func reflectionLetsAGenericClientDiscoverAndCallTheAPI(version: String) async throws {
        let records = try await withServer { server, _ in try await run(server.port, "reflection-" + version) }
        #expect(records.first { $0["scenario"] as? String == "reflection-count" }?["count"] as? Int == 9)
        let list = try #require(records.first { $0["scenario"] as? String == "reflection-list" })
        #expect(list["services"] as? [String] == [
            "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
            "yibao.test.v1.Echo", "yibao.test.v1.HealthControl"])
        let answers = records.filter { $0["scenario"] as? String == "reflection-answer" }
        func answer(_ subject: String) -> [String: Any]? { answers.first { $0["subject"] as? String == subject } }
        for symbol in ["yibao.test.v1.Echo", "yibao.test.v1.EchoRequest.Mode", "yibao.test.v1.Echo.Unary"] {
            #expect(answer(symbol)?["files"] as? [String] == ["yibao/test/v1/echo.proto"], "\(symbol)")
        }
        #expect(answer("grpc/health/v1/health.proto")?["files"] as? [String] == ["grpc/health/v1/health.proto"])
        for missing in ["no/such.proto", "no.such.Symbol"] {
            #expect(answer(missing)?["kind"] as? String == "error_response")
            #expect(answer(missing)?["code"] as? Int == GRPCStatus.Code.notFound.rawValue)
            #expect((answer(missing)?["message"] as? String)?.contains(missing) == true)
        }
        #expect(answer("yibao.test.v1.EchoRequest")?["base_type"] as? String == "yibao.test.v1.EchoRequest")
        let empty = try #require(answers.first { $0["asked"] is NSNull || $0["asked"] == nil })
        #expect(empty["code"] as? Int == GRPCStatus.Code.invalidArgument.rawValue)
        #expect(empty["valid_host"] as? String == "example")
        let call = try #require(records.first { $0["scenario"] as? String == "reflection-discovered-call" })
        #expect(call["method"] as? String == "yibao.test.v1.Echo.Unary")
        #expect(call["input"] as? String == "yibao.test.v1.EchoRequest")
        #expect(call["ok"] as? Bool == true)
        #expect(call["text"] as? String == "discovered")
    }
}

/// Waits (bounded) for a condition another thread makes true.
func eventually(_ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
