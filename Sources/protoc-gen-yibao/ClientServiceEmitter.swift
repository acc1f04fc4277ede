/// Emits `<base>.client.swift` for a .proto with services: one `<Service>Client` struct per service over
/// `RPCClient`, with typed methods. Shapes (docs/codegen.md): unary returns the response; server streaming
/// hands a typed response sequence to a body closure; client streaming takes a closure writing typed requests;
/// bidirectional takes both. Methods marked idempotent in the proto are retried on UNAVAILABLE.
struct ClientServiceEmitter {
    let registry: TypeRegistry
    /// Stubs written outside YibaoClient (an external API's, `--external`) import it for `RPCTypedCalls`.
    var importsClientSupport = false

    func emit(_ file: ProtoFile) throws -> String {
        try ServiceFileLayout.file(file, extraImports: importsClientSupport ? ["YibaoClient"] : []) { service, w in
            try emit(service, package: file.package, into: &w)
        }
    }

    static func clientName(_ service: ProtoServiceDecl, package: String) -> String {
        SwiftNaming.packagePrefix(package) + service.name + "Client"
    }

    static func methodName(_ rpcName: String) -> String { ServiceFileLayout.methodName(rpcName) }

    private func emit(_ service: ProtoServiceDecl, package: String, into w: inout CodeWriter) throws {
        w.line("/// Client of `\(service.fullName)`. Errors are thrown as `GRPCStatus`.")
        try w.block("public struct \(Self.clientName(service, package: package)): Sendable {") { w in
            w.line("public let client: RPCClient")
            w.line()
            w.line("public init(_ client: RPCClient) {")
            w.line("    self.client = client")
            w.line("}")
            for method in service.methods {
                w.line()
                try emit(method, service: service, into: &w)
            }
        }
    }

    private func emit(_ method: ProtoMethodDecl, service: ProtoServiceDecl, into w: inout CodeWriter) throws {
        let request = try registry.lookup(method.inputType).swiftName
        let response = try registry.lookup(method.outputType).swiftName
        let name = Self.methodName(method.name)
        let path = "\"/\(service.fullName)/\(method.name)\""
        let options = method.idempotent ? "options.idempotent()" : "options"
        w.line("/// `\(method.name)`\(method.idempotent ? " (idempotent: retried on UNAVAILABLE)" : "").")
        switch (method.clientStreaming, method.serverStreaming) {
        case (false, false):
            w.block("public func \(name)(_ request: \(request), options: RPCCallOptions = .init()) async throws -> \(response) {") { w in
                w.line("try await RPCTypedCalls.unary(client, path: \(path), request: request, options: \(options))")
            }
        case (false, true):
            w.line("public func \(name)<Result: Sendable>(")
            w.line("    _ request: \(request), options: RPCCallOptions = .init(),")
            w.line("    _ body: (RPCTypedResponseStream<\(response)>) async throws -> Result")
            w.block(") async throws -> Result {") { w in
                w.line("try await RPCTypedCalls.serverStreaming(client, path: \(path), request: request, options: \(options), body)")
            }
        case (true, false):
            w.line("public func \(name)(")
            w.line("    options: RPCCallOptions = .init(),")
            w.line("    _ requests: (RPCTypedRequestWriter<\(request)>) async throws -> Void")
            w.block(") async throws -> \(response) {") { w in
                w.line("try await RPCTypedCalls.clientStreaming(client, path: \(path), options: \(options), requests)")
            }
        case (true, true):
            w.line("public func \(name)<Result: Sendable>(")
            w.line("    options: RPCCallOptions = .init(),")
            w.line("    requests: @escaping @Sendable (RPCTypedRequestWriter<\(request)>) async throws -> Void,")
            w.line("    responses: (RPCTypedResponseStream<\(response)>) async throws -> Result")
            w.block(") async throws -> Result {") { w in
                w.line("try await RPCTypedCalls.bidirectionalStreaming(")
                w.line("    client, path: \(path), options: \(options), requests: requests, responses: responses)")
            }
        }
    }

    /// "yibao/test/v1/echo.proto" -> "yibao_test_v1_echo.client.swift".
    static func outputName(for protoName: String) -> String {
        ServiceFileLayout.outputName(for: protoName, kind: "client")
    }
}
