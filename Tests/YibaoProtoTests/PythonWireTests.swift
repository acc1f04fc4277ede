import Testing
import YibaoProto

/// The generated Swift against the reference implementation: Python's protobuf package, with its module generated
/// by `protoc --python_out` at test time from the same Protos/.
@Suite("Wire compatibility with Python protobuf")
struct PythonWireTests {
    @Test func pythonEncodedBytesDecodeToTheExpectedValues() async throws {
        guard let encoded = try await ProtoWireScript.run("emit") else { return }
        #expect(encoded.count == WireSamples.all.count)
        for (name, expected) in WireSamples.all {
            let hex = try #require(encoded[name], "python printed no \(name)")
            #expect(try decoded(hex, as: expected) == true, "\(name) decoded differently")
        }
    }

    @Test func swiftEncodedBytesParseEqualInPython() async throws {
        let input = WireSamples.all.map { "\($0.name) \(hex($0.message.encoded()))" }.joined(separator: "\n")
        guard let verdicts = try await ProtoWireScript.run("check", input: input) else { return }
        #expect(verdicts.count == WireSamples.all.count)
        for (name, _) in WireSamples.all {
            #expect(verdicts[name] == "ok", "python read \(name) as: \(verdicts[name] ?? "nothing")")
        }
    }

    /// Decodes `hex` as the type of `expected` and compares.
    private func decoded<M: ProtoMessage>(_ hex: String, as expected: M) throws -> Bool {
        try M(decoding: bytes(hex), maxSize: ProtoLimits.defaultMaxMessageSize) == expected
    }

    private func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xf)]] }
        return String(decoding: out, as: UTF8.self)
    }

    private func bytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        return stride(from: 0, to: chars.count - 1, by: 2).map { nibble(chars[$0]) << 4 | nibble(chars[$0 + 1]) }
    }
}
