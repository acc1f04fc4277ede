import Foundation
import Testing
import YibaoTestSupport

/// protoc-gen-yibao --server-out: one provider file per .proto with services, every streaming shape, deterministic.
@Suite("protoc-gen-yibao --server-out")
struct ServerEmitterTests {
    /// Runs protoc and the generator with `--server-out`; returns the generator's output and the server files.
    func generate(_ protos: [(name: String, text: String)], extra: [String] = []) async throws -> (ChildOutput, [String: String]) {
        try #require(FileManager.default.isExecutableFile(atPath: GeneratorTests.generator))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-server-gen-\(UUID().uuidString)")
        let messages = directory.appendingPathComponent("messages"), server = directory.appendingPathComponent("server")
        for folder in [messages, server] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: directory) }
        for proto in protos {
            try proto.text.write(to: directory.appendingPathComponent(proto.name), atomically: true, encoding: .utf8)
        }
        let set = directory.appendingPathComponent("set.pb").path
        let protoc = try await ChildProcess.run("/usr/bin/protoc", ["-I\(directory.path)", "--include_imports",
                                                                    "--descriptor_set_out=\(set)"] + protos.map(\.name))
        try #require(protoc.status == 0, "protoc: \(protoc.stderr)")
        let output = try await ChildProcess.run(GeneratorTests.generator, [set, messages.path, "--server-out", server.path] + extra)
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: server.path) {
            files[name] = try String(contentsOf: server.appendingPathComponent(name), encoding: .utf8)
        }
        return (output, files)
    }

    static let types = (name: "types.proto", text: """
        syntax = "proto3";
        package p.v1;
        message Req { string a = 1; }
        message Resp { int64 b = 1; }
        """)

    @Test func everyShapeDeterministicOnlyForFilesWithServices() async throws {
        let service = (name: "svc.proto", text: """
            syntax = "proto3";
            package p.v1;
            import "types.proto";
            service Shapes {
              rpc GetOne(Req) returns (Resp);
              rpc Watch(Req) returns (stream Resp);
              rpc Upload(stream Req) returns (Resp);
              rpc Chat(stream Req) returns (stream Resp);
            }
            """)
        let (first, files) = try await generate([Self.types, service])
        let (_, again) = try await generate([Self.types, service])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Array(files.keys) == ["svc.server.swift"])
        #expect(files == again)
        let text = try #require(files["svc.server.swift"])
        #expect(text.contains("public protocol P_V1_ShapesProvider: Sendable {"))
        #expect(text.contains("func getOne(_ request: P_V1_Req, context: RPCServerContext) async throws -> P_V1_Resp"))
        #expect(text.contains("func watch(_ request: P_V1_Req, context: RPCServerContext,\n        responses: RPCMessageWriter<P_V1_Resp>) async throws"))
        #expect(text.contains("func upload(_ requests: RPCMessageStream<P_V1_Req>, context: RPCServerContext) async throws -> P_V1_Resp"))
        #expect(text.contains("func chat(_ requests: RPCMessageStream<P_V1_Req>, context: RPCServerContext,\n        responses: RPCMessageWriter<P_V1_Resp>) async throws"))
        #expect(text.contains("public static var serviceName: String { \"p.v1.Shapes\" }"))
        #expect(text.contains("public enum P_V1_ShapesPaths {"))
        for (method, path, adapter) in [("getOne", "GetOne", "unary"), ("watch", "Watch", "serverStreaming"),
                                        ("upload", "Upload", "clientStreaming"), ("chat", "Chat", "bidirectionalStreaming")] {
            #expect(text.contains("public static let \(method) = \"/p.v1.Shapes/\(path)\""))
            #expect(text.contains("router.register(P_V1_ShapesPaths.\(method), RPCServiceMethod.\(adapter)("))
        }
        #expect(text.contains("named: \"p.v1.Req\""))
    }

    @Test func refusesRpcsThatCollideInSwift() async throws {
        let service = (name: "svc.proto", text: """
            syntax = "proto3";
            package p.v1;
            import "types.proto";
            service Twice { rpc Get(Req) returns (Resp); rpc get(Req) returns (Resp); }
            """)
        let (output, _) = try await generate([Self.types, service])
        #expect(output.status == 1)
        #expect(output.stderr.contains("two rpcs map to the Swift method get"))
    }

    @Test func refusesUnknownOptions() async throws {
        let (output, _) = try await generate([Self.types], extra: ["--bogus-out", "/tmp"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("usage: protoc-gen-yibao"))
    }
}
