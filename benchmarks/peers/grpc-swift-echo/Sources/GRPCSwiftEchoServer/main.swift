// grpc-swift-echo-server [PORT]: yibao.test.v1.Echo on grpc-swift-2 (NIO Posix HTTP/2 transport, plaintext),
// the comparison peer of benchmarks/rpc. Prints "listening <port>" once bound; runs until killed.
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf

/// The same work as the Yibao bench server: decode the request, echo it in a response, encode.
struct EchoService: Yibao_Test_V1_Echo.SimpleServiceProtocol {
    func unary(request: Yibao_Test_V1_EchoRequest, context: ServerContext) async throws -> Yibao_Test_V1_EchoResponse {
        var response = Yibao_Test_V1_EchoResponse()
        response.echoed = request
        return response
    }

    func expand(request: Yibao_Test_V1_ExpandRequest, response: RPCWriter<Yibao_Test_V1_EchoResponse>,
                context: ServerContext) async throws {
        for _ in 0..<request.count {
            var message = Yibao_Test_V1_EchoResponse()
            message.echoed.text = request.text
            try await response.write(message)
        }
    }

    /// The last request, echoed once the stream ends (as the Yibao bench server's Collect).
    func collect(request: RPCAsyncSequence<Yibao_Test_V1_EchoRequest, any Error>,
                 context: ServerContext) async throws -> Yibao_Test_V1_EchoResponse {
        var response = Yibao_Test_V1_EchoResponse()
        for try await message in request { response.echoed = message }
        return response
    }

    func chat(request: RPCAsyncSequence<Yibao_Test_V1_EchoRequest, any Error>,
              response: RPCWriter<Yibao_Test_V1_EchoResponse>, context: ServerContext) async throws {
        for try await message in request {
            var answer = Yibao_Test_V1_EchoResponse()
            answer.echoed = message
            try await response.write(answer)
        }
    }
}

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
let server = GRPCServer(
    transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext),
    services: [EchoService()])
try await withThrowingDiscardingTaskGroup { group in
    group.addTask { try await server.serve() }
    if let address = try await server.listeningAddress?.ipv4 {
        print("listening \(address.port)")
    }
}
