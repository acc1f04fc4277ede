import NIOCore
import YibaoProto
import YibaoRPC

/// Our server with `yibao.test.v1.Echo` in protobuf terms (decoded by hand here: the generated server
/// protocols are another work item), for the generated client stubs.
enum TypedEchoServer {
    static func decode<M: ProtoMessage>(_ buffer: ByteBuffer) throws -> M {
        do { return try M(decoding: Array(buffer.readableBytesView), maxSize: 4 << 20) } catch {
            throw GRPCStatus(.internal, "request is not a valid \(M.self)")
        }
    }

    static func router() -> RPCRouter {
        var router = RPCRouter()
        router.register("/yibao.test.v1.Echo/Unary", .unary { buffer, context in
            let request: Yibao_Test_V1_EchoRequest = try decode(buffer)
            if request.text.hasPrefix("fail:") {
                let parts = request.text.split(separator: ":", maxSplits: 2).map(String.init)
                throw GRPCStatus(GRPCStatus.Code(rawValue: Int(parts[1]) ?? 2) ?? .unknown, parts.count > 2 ? parts[2] : "")
            }
            var response = Yibao_Test_V1_EchoResponse()
            response.echoed = request
            response.sequence = 1
            return ByteBuffer(bytes: response.encoded())
        })
        router.register("/yibao.test.v1.Echo/Expand", .serverStreaming { buffer, _, writer in
            let request: Yibao_Test_V1_ExpandRequest = try decode(buffer)
            for index in 0..<request.count {
                var response = Yibao_Test_V1_EchoResponse()
                response.echoed = Yibao_Test_V1_EchoRequest()
                response.echoed?.text = request.text
                response.sequence = UInt64(index)
                try await writer.write(ByteBuffer(bytes: response.encoded()))
            }
        })
        router.register("/yibao.test.v1.Echo/Collect", .clientStreaming { requests, _ in
            var joined = "", count: UInt64 = 0
            for try await buffer in requests {
                let request: Yibao_Test_V1_EchoRequest = try decode(buffer)
                joined += request.text
                count += 1
            }
            var response = Yibao_Test_V1_EchoResponse()
            response.echoed = Yibao_Test_V1_EchoRequest()
            response.echoed?.text = joined
            response.sequence = count
            return ByteBuffer(bytes: response.encoded())
        })
        router.register("/yibao.test.v1.Echo/Chat", .bidirectionalStreaming { requests, _, writer in
            var index: UInt64 = 0
            for try await buffer in requests {
                var response = Yibao_Test_V1_EchoResponse()
                response.echoed = try decode(buffer) as Yibao_Test_V1_EchoRequest
                response.sequence = index
                index += 1
                try await writer.write(ByteBuffer(bytes: response.encoded()))
            }
        })
        return router
    }
}
