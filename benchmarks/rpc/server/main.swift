// yibao-rpc-bench-server PORT: yibao.test.v1.Echo/Unary on YibaoRPC, for benchmarks/rpc. The handler does what
// the grpc-swift-2 peer's does: decode the EchoRequest, put it in an EchoResponse, encode. Runs until killed.
import NIOCore
import YibaoProto
import YibaoRPC

var router = RPCRouter()
router.register("/yibao.test.v1.Echo/Unary", .unary { bytes, _ in
    let request: Yibao_Test_V1_EchoRequest
    do {
        request = try Yibao_Test_V1_EchoRequest(decoding: Array(bytes.readableBytesView),
                                                maxSize: ProtoLimits.defaultMaxMessageSize)
    } catch {
        throw GRPCStatus(.internal, "request is not a valid yibao.test.v1.EchoRequest: \(error)")
    }
    var response = Yibao_Test_V1_EchoResponse()
    response.echoed = request
    return ByteBuffer(bytes: response.encoded())
})
var configuration = RPCServerConfiguration()
configuration.port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
// As many streams per connection as the peer allows by default, so h2load's -m is the limit for both.
configuration.maxConcurrentStreams = 4096
let server = try await RPCServer.start(router: router, configuration: configuration)
print("listening \(server.port)")
while true { try await Task.sleep(for: .seconds(3600)) }
