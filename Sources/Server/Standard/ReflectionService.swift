import NIOCore
import YibaoProto
import YibaoRPC

/// Server reflection, `grpc.reflection.v1` and `grpc.reflection.v1alpha` (grpc/grpc doc/server-reflection.md):
/// one response per request on a bidirectional stream; lookups that fail are answered with an error_response,
/// the stream goes on. The two versions are the same messages under two package names, identical on the wire,
/// so both are served by one handler over the v1 types.
public struct ReflectionService: Sendable {
    public static let serviceNames = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]

    public typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
    public typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

    public let registry: ReflectionRegistry
    /// What list_services answers, sorted.
    public let services: [String]

    public init(registry: ReflectionRegistry = .init(), services: [String]) {
        self.registry = registry
        self.services = services.sorted()
    }

    public func answer(_ request: Request) -> Response {
        var response = Response()
        response.validHost = request.host
        response.originalRequest = request
        switch request.messageRequest {
        case .listServices:
            var list = Grpc_Reflection_V1_ListServiceResponse()
            list.service = services.map { name in
                var service = Grpc_Reflection_V1_ServiceResponse()
                service.name = name
                return service
            }
            response.messageResponse = .listServicesResponse(list)
        case .fileByFilename(let name):
            response.messageResponse = files(registry.file(named: name), notFound: "file \"\(name)\" not found")
        case .fileContainingSymbol(let symbol):
            response.messageResponse = files(registry.file(containingSymbol: symbol),
                                             notFound: "symbol \"\(symbol)\" not found")
        case .fileContainingExtension(let extensionRequest):
            response.messageResponse = error(.notFound, "extension \(extensionRequest.extensionNumber) of "
                                             + "\"\(extensionRequest.containingType)\" not found: this server defines no extensions")
        case .allExtensionNumbersOfType(let type):
            if registry.file(containingSymbol: type) != nil {
                var numbers = Grpc_Reflection_V1_ExtensionNumberResponse()
                numbers.baseTypeName = type
                response.messageResponse = .allExtensionNumbersResponse(numbers)
            } else {
                response.messageResponse = error(.notFound, "type \"\(type)\" not found")
            }
        case nil:
            response.messageResponse = error(.invalidArgument, "message_request is not set")
        }
        return response
    }

    /// Registers both versions; `services` should name what the router serves (see `StandardServices`).
    public func register(in router: inout RPCRouter) {
        let service = self
        for name in Self.serviceNames {
            let requestName = name + "Request"  // grpc.reflection.v1.ServerReflectionRequest
            router.register("/\(name)/ServerReflectionInfo", .bidirectionalStreaming { requests, _, writer in
                for try await bytes in requests {
                    let request = try StandardMessageCoding.decode(Request.self, fullName: requestName, from: bytes)
                    try await writer.write(StandardMessageCoding.encode(service.answer(request)))
                }
            })
        }
    }

    private func files(_ file: ReflectionFile?, notFound: String) -> Response.MessageResponse {
        guard let file else { return error(.notFound, notFound) }
        var descriptors = Grpc_Reflection_V1_FileDescriptorResponse()
        descriptors.fileDescriptorProto = registry.withDependencies(file).map(\.serializedDescriptor)
        return .fileDescriptorResponse(descriptors)
    }

    private func error(_ code: GRPCStatus.Code, _ message: String) -> Response.MessageResponse {
        var error = Grpc_Reflection_V1_ErrorResponse()
        error.errorCode = Int32(code.rawValue)
        error.errorMessage = message
        return .errorResponse(error)
    }
}
