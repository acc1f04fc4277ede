import Testing
import YibaoProto

/// Untrusted bytes through `init(decoding:)`: any input either decodes or throws; nothing over the limit is unpacked.
@Suite("Hostile bytes")
struct HostileBytesTests {
    typealias Request = Yibao_Test_V1_EchoRequest

    /// SplitMix64: seeded, so a failing input can be reproduced from the seed and the iteration.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomBytesNeverCrash() {
        var random = SeededGenerator(state: 0x5EED_0001)
        var decodedCount = 0
        for _ in 0..<3000 {
            let count = Int.random(in: 0...256, using: &random)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if let message = try? Request(decoding: bytes) {
                decodedCount += 1
                _ = message.encoded()  // whatever decoded must encode again
            }
        }
        #expect(decodedCount < 3000)
    }

    @Test func mutatedValidMessagesNeverCrash() throws {
        var random = SeededGenerator(state: 0x5EED_0002)
        let seeds = WireSamples.all.map { $0.message.encoded() }.filter { !$0.isEmpty }
        var outcomes = (decoded: 0, refused: 0)
        for _ in 0..<5000 {
            var bytes = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            for _ in 0..<Int.random(in: 1...8, using: &random) { mutate(&bytes, using: &random) }
            do {
                let message = try Request(decoding: bytes)
                outcomes.decoded += 1
                // What was accepted re-encodes to a fixed point. (Not `==`: mutations make NaNs, and C strings
                // end at a NUL, so the first re-encoding may shorten a string once.)
                let once = message.encoded()
                #expect(try Request(decoding: once).encoded() == once)
            } catch {
                outcomes.refused += 1
                guard case .malformed(let type, let size) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(type == "yibao.test.v1.EchoRequest" && size == bytes.count)
            }
        }
        #expect(outcomes.decoded > 0 && outcomes.refused > 0)
    }

    @Test func truncationsOfAValidMessageNeverCrash() {
        let bytes = WireSamples.full.encoded()
        for end in 0..<bytes.count { _ = try? Request(decoding: Array(bytes[0..<end])) }
    }

    @Test func oversizedInputIsRefusedBeforeUnpacking() throws {
        // A valid encoding over the default limit: refused as too large, although protobuf-c would accept it.
        let big = WireSamples.request { $0.payload = [UInt8](repeating: 7, count: ProtoLimits.defaultMaxMessageSize) }
        let bytes = big.encoded()
        #expect(bytes.count > ProtoLimits.defaultMaxMessageSize)
        #expect(throws: ProtoDecodingError.tooLarge(messageType: "yibao.test.v1.EchoRequest", size: bytes.count,
                                                    limit: ProtoLimits.defaultMaxMessageSize)) {
            try Request(decoding: bytes)
        }
        #expect(try Request(decoding: bytes, maxSize: bytes.count) == big)
        #expect(throws: ProtoDecodingError.self) { try Request(decoding: [0x0a, 0x01, 0x00], maxSize: 2) }
    }

    @Test func lengthsLongerThanTheInputAreRefused() {
        // Field 3 (bytes) claiming 2^31 bytes with 2 present.
        #expect(throws: ProtoDecodingError.malformed(messageType: "yibao.test.v1.EchoRequest", size: 9)) {
            try Request(decoding: [0x1a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x01, 0x02, 0x03])
        }
    }

    private func mutate(_ bytes: inout [UInt8], using random: inout SeededGenerator) {
        guard !bytes.isEmpty else { bytes = [UInt8.random(in: 0...255, using: &random)]; return }
        let index = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
        case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 2: bytes.remove(at: index)
        case 3: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
        case 4: bytes.removeLast(Int.random(in: 0...bytes.count - index - 1, using: &random))
        default: bytes[index] = [0x00, 0x7f, 0x80, 0xff][Int.random(in: 0..<4, using: &random)]
        }
    }
}
