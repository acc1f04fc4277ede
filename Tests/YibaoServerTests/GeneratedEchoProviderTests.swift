import Foundation
import Testing
import YibaoProto
import YibaoRPC
import YibaoServer

/// The generated provider protocol of the test service, implemented here and served on a bare router: the typed
/// adapters decode, call and encode (unary and server streaming), and refuse a request that is not the message.
struct EchoProvider: Yibao_Test_V1_EchoProvider {
    func unary(_ request: Yibao_Test_V1_EchoRequest, context: RPCServerContext) async throws -> Yibao_Test_V1_EchoResponse {
        var response = Yibao_Test_V1_EchoResponse()
        response.echoed = request
        response.sequence = 1
        return response
    }

    func expand(_ request: Yibao_Test_V1_ExpandRequest, context: RPCServerContext,
                responses: RPCMessageWriter<Yibao_Test_V1_EchoResponse>) async throws {
        for sequence in 1...max(1, UInt64(request.count)) {
            var response = Yibao_Test_V1_EchoResponse()
            var echoed = Yibao_Test_V1_EchoRequest()
            echoed.text = request.text
            response.echoed = echoed
            response.sequence = sequence
            try await responses.write(response)
        }
    }

    /// Every request's text joined, with their count as the sequence.
    func collect(_ requests: RPCMessageStream<Yibao_Test_V1_EchoRequest>, context: RPCServerContext) async throws -> Yibao_Test_V1_EchoResponse {
        var texts: [String] = []
        for try await request in requests { texts.append(request.text) }
        var echoed = Yibao_Test_V1_EchoRequest()
        echoed.text = texts.joined(separator: ",")
        var response = Yibao_Test_V1_EchoResponse()
        response.echoed = echoed
        response.sequence = UInt64(texts.count)
        return response
    }

    /// Each request answered as it arrives, numbered.
    func chat(_ requests: RPCMessageStream<Yibao_Test_V1_EchoRequest>, context: RPCServerContext,
              responses: RPCMessageWriter<Yibao_Test_V1_EchoResponse>) async throws {
        var sequence: UInt64 = 0
        for try await request in requests {
            sequence += 1
            var response = Yibao_Test_V1_EchoResponse()
            response.echoed = request
            response.sequence = sequence
            try await responses.write(response)
        }
    }
}

@Suite("Generated Echo provider over grpcio")
struct GeneratedEchoProviderTests {
    @Test("all four shapes through the generated adapters; an undecodable request is INTERNAL naming its type")
    func echo() async throws {
        var router = RPCRouter()
        EchoProvider().register(in: &router)
        #expect(router.paths == EchoProvider.methodPaths.sorted())
        // Each method's path constant is its wire path: `/<package>.<Service>/<Method>`.
        #expect(Yibao_Test_V1_EchoPaths.unary == "/yibao.test.v1.Echo/Unary")
        #expect(Set(EchoProvider.methodPaths).contains(Yibao_Test_V1_EchoPaths.unary))
        let server = try await RPCServer.start(router: router)
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-echo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: keys + "/orgs.json"))
        let run = try await PythonAPIClient.run(port: server.port, keys: keys, ["echo"])
        await server.shutdown()
        PythonAPIClient.expectAllPassed(run, ["echo"], minimumChecks: 6)
    }
}
