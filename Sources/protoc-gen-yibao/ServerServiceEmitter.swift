/// Emits `<base>.server.swift` for a .proto with services: per service a `<Service>Provider` protocol with one
/// typed requirement per rpc, a `<Service>Paths` enum with each method's wire path, and `register(in:)` that puts every method on an `RPCRouter` through the generic
/// adapters of YibaoServer's ServiceSupport (decode, call, encode), so no per-method glue is written by hand.
struct ServerServiceEmitter {
    let registry: TypeRegistry

    func emit(_ file: ProtoFile) throws -> String {
        try ServiceFileLayout.file(file) { service, w in try emit(service, package: file.package, into: &w) }
    }

    static func outputName(for protoName: String) -> String {
        ServiceFileLayout.outputName(for: protoName, kind: "server")
    }

    static func methodName(_ rpcName: String) -> String { ServiceFileLayout.methodName(rpcName) }

    private func messageName(_ fullName: String) throws -> String {
        let entry = try registry.lookup(fullName)
        guard entry.message != nil else { throw GeneratorError("\(fullName) is used as an rpc type but is not a message") }
        return entry.swiftName
    }

    private func emit(_ service: ProtoServiceDecl, package: String, into w: inout CodeWriter) throws {
        let protocolName = SwiftNaming.packagePrefix(package) + service.name + "Provider"
        let methods = try service.methods.map { method in
            (method, try messageName(method.inputType), try messageName(method.outputType))
        }
        var seen = Set<String>()
        for (method, _, _) in methods where !seen.insert(Self.methodName(method.name)).inserted {
            throw GeneratorError("\(service.fullName): two rpcs map to the Swift method \(Self.methodName(method.name))")
        }
        w.line("/// The server side of `\(service.fullName)`: implement every method, then `register(in:)` a router.")
        w.block("public protocol \(protocolName): Sendable {") { w in
            for (method, input, output) in methods {
                let name = Self.methodName(method.name)
                w.line("/// rpc \(method.name)(\(method.clientStreaming ? "stream " : "")\(method.inputType)) returns (\(method.serverStreaming ? "stream " : "")\(method.outputType))")
                switch (method.clientStreaming, method.serverStreaming) {
                case (false, false):
                    w.line("func \(name)(_ request: \(input), context: RPCServerContext) async throws -> \(output)")
                case (false, true):
                    w.line("func \(name)(_ request: \(input), context: RPCServerContext,")
                    w.line("    responses: RPCMessageWriter<\(output)>) async throws")
                case (true, false):
                    w.line("func \(name)(_ requests: RPCMessageStream<\(input)>, context: RPCServerContext) async throws -> \(output)")
                case (true, true):
                    w.line("func \(name)(_ requests: RPCMessageStream<\(input)>, context: RPCServerContext,")
                    w.line("    responses: RPCMessageWriter<\(output)>) async throws")
                }
            }
        }
        w.line()
        // One constant per method, so code that names a method (placement, per-method policy) is checked by the
        // compiler instead of matching a hand-typed string at run time.
        let pathsName = SwiftNaming.packagePrefix(package) + service.name + "Paths"
        w.line("/// The wire path of each method of `\(service.fullName)`, `/\(service.fullName)/<Method>`.")
        w.block("public enum \(pathsName) {") { w in
            for (method, _, _) in methods {
                w.line("public static let \(Self.methodName(method.name)) = \"/\(service.fullName)/\(method.name)\"")
            }
        }
        w.line()
        w.block("extension \(protocolName) {") { w in
            w.line("public static var serviceName: String { \"\(service.fullName)\" }")
            w.line()
            w.line("/// The wire paths of every method, `/\(service.fullName)/<Method>`.")
            w.block("public static var methodPaths: [String] {") { w in
                w.line("[")
                for (method, _, _) in methods { w.line("    \(pathsName).\(Self.methodName(method.name)),") }
                w.line("]")
            }
            w.line()
            w.block("public func register(in router: inout RPCRouter) {") { w in
                for (method, input, output) in methods {
                    let name = Self.methodName(method.name)
                    let adapter: String
                    let parameters: String
                    let call: String
                    switch (method.clientStreaming, method.serverStreaming) {
                    case (false, false):
                        adapter = "unary"; parameters = "request, context"
                        call = "self.\(name)(request, context: context)"
                    case (false, true):
                        adapter = "serverStreaming"; parameters = "request, context, responses"
                        call = "self.\(name)(request, context: context, responses: responses)"
                    case (true, false):
                        adapter = "clientStreaming"; parameters = "requests, context"
                        call = "self.\(name)(requests, context: context)"
                    case (true, true):
                        adapter = "bidirectionalStreaming"; parameters = "requests, context, responses"
                        call = "self.\(name)(requests, context: context, responses: responses)"
                    }
                    w.line("router.register(\(pathsName).\(name), RPCServiceMethod.\(adapter)(")
                    w.line("    \(input).self, \(output).self, named: \"\(method.inputType)\") { \(parameters) in")
                    w.line("    try await \(call)")
                    w.line("})")
                }
            }
        }
    }
}
