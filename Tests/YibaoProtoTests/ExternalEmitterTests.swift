import Foundation
import Testing
import YibaoTestSupport

/// protoc-gen-yibao --external PREFIX=DIR (another system's API, etcd's): messages as usual, client stubs in DIR,
/// no server protocol and no reflection data. And the Swift names of etcd-style field names.
@Suite("protoc-gen-yibao --external")
struct ExternalEmitterTests {
    /// Runs protoc and the generator with every output; returns its output and the files of each output folder.
    func generate(_ protos: [(name: String, text: String)], external: String? = nil)
        async throws -> (ChildOutput, [String: [String: String]]) {
        try #require(FileManager.default.isExecutableFile(atPath: GeneratorTests.generator))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-external-gen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let folders = ["messages", "server", "client", "reflection", "external"]
        for folder in folders {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for proto in protos {
            let file = directory.appendingPathComponent(proto.name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try proto.text.write(to: file, atomically: true, encoding: .utf8)
        }
        let set = directory.appendingPathComponent("set.pb").path
        let protoc = try await ChildProcess.run("/usr/bin/protoc", ["-I\(directory.path)", "--include_imports",
                                                                    "--descriptor_set_out=\(set)"] + protos.map(\.name))
        try #require(protoc.status == 0, "protoc: \(protoc.stderr)")
        let path = { (folder: String) in directory.appendingPathComponent(folder).path }
        let output = try await ChildProcess.run(GeneratorTests.generator, [
            set, path("messages"), "--server-out", path("server"), "--client-out", path("client"),
            "--reflection-out", path("reflection"), "--external", external ?? "ext/=\(path("external"))"])
        var files: [String: [String: String]] = [:]
        for folder in folders {
            for name in try FileManager.default.contentsOfDirectory(atPath: path(folder)) {
                files[folder, default: [:]][name] = try String(contentsOfFile: path(folder) + "/" + name, encoding: .utf8)
            }
        }
        return (output, files)
    }

    static let own = (name: "own.proto", text: """
        syntax = "proto3";
        package own.v1;
        message Ping { string a = 1; }
        service Own { rpc Get(Ping) returns (Ping); }
        """)
    static let external = (name: "ext/api.proto", text: """
        syntax = "proto3";
        package extpb;
        message LeaseGrant { int64 TTL = 1; int64 ID = 2; int64 grantedTTL = 3; int64 remaining_TTL = 4; }
        service Lease { rpc Grant(LeaseGrant) returns (LeaseGrant); }
        """)

    @Test func externalProtosGetClientStubsOnly() async throws {
        let (output, files) = try await generate([Self.own, Self.external])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(Set(files["messages", default: [:]].keys) == ["_catalog.pb.swift", "own.pb.swift", "ext_api.pb.swift"])
        #expect(Array(files["server", default: [:]].keys) == ["own.server.swift"])
        #expect(Array(files["client", default: [:]].keys) == ["own.client.swift"])
        #expect(Set(files["reflection", default: [:]].keys) == ["own.reflection.swift", "_registry.reflection.swift"])
        let registry = try #require(files["reflection"]?["_registry.reflection.swift"])
        #expect(!registry.contains("ext_api") && !registry.contains("extpb"))
        #expect(registry.contains("own"))
        let stub = try #require(files["external"]?["ext_api.client.swift"])
        #expect(stub.contains("import YibaoClient"))
        #expect(stub.contains("public struct Extpb_LeaseClient: Sendable {"))
        #expect(stub.contains("path: \"/extpb.Lease/Grant\""))
        #expect(files["client"]?["own.client.swift"]?.contains("import YibaoClient") == false)
        // The external messages are in the catalog like any other (the fuzzer decodes them).
        #expect(files["messages"]?["_catalog.pb.swift"]?.contains("(\"extpb.LeaseGrant\", Extpb_LeaseGrant.self),") == true)
    }

    /// etcd's `TTL` and `ID` are acronyms, not "tTL" and "iD"; mixed-case names keep their camel case. The C
    /// member names stay protoc-c's lowercase.
    @Test func capitalsOnlyFieldNamesAreAcronyms() async throws {
        let (output, files) = try await generate([Self.external])
        #expect(output.status == 0, "\(output.stderr)")
        let text = try #require(files["messages"]?["ext_api.pb.swift"])
        for declaration in ["public var ttl: Int64", "public var id: Int64", "public var grantedTTL: Int64",
                            "public var remainingTTL: Int64", "self.ttl = c.pointee.ttl", "self.id = c.pointee.id",
                            "self.grantedTTL = c.pointee.grantedttl", "self.remainingTTL = c.pointee.remaining_ttl"] {
            #expect(text.contains(declaration), "\(declaration)")
        }
    }

    @Test(arguments: ["ext/", "=dir", "ext/="])
    func refusesAnExternalWithoutPrefixAndDirectory(_ value: String) async throws {
        let (output, _) = try await generate([Self.own], external: value)
        #expect(output.status == 2)
        #expect(output.stderr.contains("--external PREFIX=DIR"))
    }
}
