import NIOCore
import YibaoProto
import YibaoRPC

/// `grpc.health.v1.Health` over a `HealthStatusBoard`: Check answers the status now, Watch streams it.
public struct HealthService: Sendable {
    public static let serviceName = "grpc.health.v1.Health"

    public let board: HealthStatusBoard

    public init(board: HealthStatusBoard) { self.board = board }

    /// Check: the status, or NOT_FOUND naming the service when it was never set.
    public func check(_ request: Grpc_Health_V1_HealthCheckRequest) throws -> Grpc_Health_V1_HealthCheckResponse {
        guard let status = board.status(of: request.service) else {
            throw GRPCStatus(.notFound, "unknown service \"\(request.service)\"")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }

    /// Watch: the status now, then each change, until the client cancels or the call ends.
    public func watch(_ request: Grpc_Health_V1_HealthCheckRequest,
                      send: (Grpc_Health_V1_HealthCheckResponse) async throws -> Void) async throws {
        for await status in board.updates(for: request.service) {
            var response = Grpc_Health_V1_HealthCheckResponse()
            response.status = status
            try await send(response)
        }
        try Task.checkCancellation()
    }

    public func register(in router: inout RPCRouter) {
        let service = self
        let requestName = "grpc.health.v1.HealthCheckRequest"
        router.register("/\(Self.serviceName)/Check", .unary { bytes, _ in
            let request = try StandardMessageCoding.decode(Grpc_Health_V1_HealthCheckRequest.self,
                                                           fullName: requestName, from: bytes)
            return StandardMessageCoding.encode(try service.check(request))
        })
        router.register("/\(Self.serviceName)/Watch", .serverStreaming { bytes, _, writer in
            let request = try StandardMessageCoding.decode(Grpc_Health_V1_HealthCheckRequest.self,
                                                           fullName: requestName, from: bytes)
            try await service.watch(request) { try await writer.write(StandardMessageCoding.encode($0)) }
        })
    }
}
