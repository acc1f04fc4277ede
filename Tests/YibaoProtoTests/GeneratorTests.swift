import Foundation
import Testing
import YibaoTestSupport

/// protoc-gen-yibao as a program: deterministic output, and clear refusals of what phase 1 cannot generate.
@Suite("protoc-gen-yibao")
struct GeneratorTests {
    static var generator: String {
        // swift test runs <build>/debug/<package>PackageTests.xctest; the generator is built beside it.
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("protoc-gen-yibao").path
    }

    /// Compiles `proto` (file name, text) with protoc, runs the generator on the descriptor set, returns its
    /// output and the files it wrote.
    func generate(_ proto: (name: String, text: String)) async throws -> (ChildOutput, [String: String]) {
        try #require(FileManager.default.isExecutableFile(atPath: Self.generator), "no generator at \(Self.generator)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-gen-\(UUID().uuidString)")
        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try proto.text.write(to: directory.appendingPathComponent(proto.name), atomically: true, encoding: .utf8)
        let set = directory.appendingPathComponent("set.pb").path
        let protoc = try await ChildProcess.run("/usr/bin/protoc", [
            "-I\(directory.path)", "--include_imports", "--experimental_allow_proto3_optional",
            "--descriptor_set_out=\(set)", proto.name])
        try #require(protoc.status == 0, "protoc: \(protoc.stderr)")
        let output = try await ChildProcess.run(Self.generator, [set, out.path])
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
            files[name] = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        }
        return (output, files)
    }

    @Test func outputIsDeterministicAndNamedAfterTheProtoPath() async throws {
        let proto = (name: "det.proto", text: """
            syntax = "proto3";
            package a.b_c.v2;
            message Thing { map<string, Thing2> m = 1; map<bool, int32> flags = 2; oneof o { string s = 3; } }
            message Thing2 { enum Kind { KIND_UNSPECIFIED = 0; KIND_ONE = 1; } Kind kind = 1; }
            message HTTPRequest { int32 x = 1; }
            """)
        let (first, firstFiles) = try await generate(proto)
        let (_, secondFiles) = try await generate(proto)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(firstFiles.keys.sorted() == ["_catalog.pb.swift", "det.pb.swift"])
        // The catalog lists every message (map entries are not types of their own).
        let catalog = try #require(firstFiles["_catalog.pb.swift"])
        #expect(catalog.contains("(\"a.b_c.v2.Thing\", A_BC_V2_Thing.self),"))
        #expect(catalog.contains("(\"a.b_c.v2.HTTPRequest\", A_BC_V2_HTTPRequest.self),"))
        #expect(!catalog.contains("MEntry"))
        #expect(firstFiles == secondFiles)
        let text = try #require(firstFiles["det.pb.swift"])
        #expect(text.contains("public struct A_BC_V2_Thing: ProtoMessage"))
        #expect(text.contains("typealias CMessage = A__BC__V2__Thing"))
        #expect(text.contains("case one"))
        // Every C name the Swift uses is one protoc-c declared (naming rules: c_helpers.cc).
        let header = try await protocCHeader(proto)
        for name in cNames(in: text) { #expect(header.contains(name), "protoc-c declares no \(name)") }
        #expect(cNames(in: text).contains("a__b_c__v2__httprequest__init"))
    }

    private func protocCHeader(_ proto: (name: String, text: String)) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-protoc-c-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try proto.text.write(to: directory.appendingPathComponent(proto.name), atomically: true, encoding: .utf8)
        let run = try await ChildProcess.run("/usr/bin/protoc-c", ["-I\(directory.path)", "--c_out=\(directory.path)", proto.name])
        try #require(run.status == 0, "protoc-c: \(run.stderr)")
        let header = proto.name.replacingOccurrences(of: ".proto", with: ".pb-c.h")
        return try String(contentsOf: directory.appendingPathComponent(header), encoding: .utf8)
    }

    /// `__init` functions and C struct types named in generated Swift.
    private func cNames(in swift: String) -> Set<String> {
        var names = Set<String>()
        for token in swift.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
            if token.hasSuffix("__init") || (token.contains("__") && token.first?.isUppercase == true) {
                names.insert(String(token))
            }
        }
        return names
    }

    @Test func refusesRecursiveMessages() async throws {
        let (output, files) = try await generate((name: "rec.proto", text: """
            syntax = "proto3";
            package r;
            message A { B b = 1; }
            message B { repeated A a = 1; }
            """))
        #expect(output.status == 1)
        #expect(output.stderr.contains("recursive message types are not supported yet: r.A -> r.B -> r.A"))
        #expect(files.isEmpty)
    }

    @Test func refusesProto3Optional() async throws {
        let (output, _) = try await generate((name: "opt.proto", text: """
            syntax = "proto3";
            package o;
            message M { optional int32 x = 1; }
            """))
        #expect(output.status == 1)
        #expect(output.stderr.contains("o.M.x uses proto3 optional"))
    }

    // (protoc itself refuses fields equal in lowerCamelCase and enum values equal once the prefix is stripped.)
    @Test(arguments: [
        ("message M { bytes encoded = 1; }", "becomes the Swift member encoded"),
        ("message M { oneof kind { int32 a = 1; } enum Kind { KIND_X = 0; } }", "declares the Swift type Kind twice"),
        ("enum E { E_UNRECOGNIZED = 0; }", "becomes the Swift case unrecognized"),
    ])
    func refusesCollidingSwiftNames(_ declaration: String, _ message: String) async throws {
        let (output, _) = try await generate((name: "names.proto", text: "syntax = \"proto3\";\npackage n;\n" + declaration))
        #expect(output.status == 1)
        #expect(output.stderr.contains(message), "\(output.stderr)")
    }

    @Test func refusesProto2() async throws {
        let (output, _) = try await generate((name: "two.proto", text: """
            syntax = "proto2";
            package t;
            message M { optional int32 x = 1; }
            """))
        #expect(output.status == 1)
        #expect(output.stderr.contains("only proto3 is supported"))
    }
}
