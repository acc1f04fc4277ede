import NIOCore
import Testing
@testable import YibaoRPC

@Suite("gRPC wire details")
struct WireFormatTests {
    @Test func timeoutUnits() {
        #expect(GRPCTimeout.parse("1H") == 3_600_000_000_000)
        #expect(GRPCTimeout.parse("2M") == 120_000_000_000)
        #expect(GRPCTimeout.parse("3S") == 3_000_000_000)
        #expect(GRPCTimeout.parse("250m") == 250_000_000)
        #expect(GRPCTimeout.parse("7u") == 7_000)
        #expect(GRPCTimeout.parse("99999999n") == 99_999_999)
        #expect(GRPCTimeout.parse("99999999H") == GRPCTimeout.maxNanoseconds)
        for bad in ["", "S", "1", "1s", "123456789S", "-1S", "1.5S"] {
            #expect(GRPCTimeout.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func percentEncodingRoundTrips() {
        let message = "医保 100% ✓\ttab\n"
        let encoded = PercentEncoding.encode(message)
        #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
        #expect(encoded.hasPrefix("%E5%8C%BB"))
        #expect(PercentEncoding.decode(encoded) == message)
        #expect(PercentEncoding.decode("50%") == "50%")
    }

    @Test func base64AcceptsPaddedAndUnpadded() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 200) }
            let encoded = Base64.encode(bytes)
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decode(String(encoded.filter { $0 != "=" })) == bytes)
        }
        #expect(Base64.decode("a") == nil)
        #expect(Base64.decode("ab*d") == nil)
    }

    @Test func deframerSplitsMessagesAndRefusesOversizeEarly() throws {
        var deframer = GRPCMessageDeframer(maxMessageLength: 10, allocator: ByteBufferAllocator())
        var input = ByteBuffer()
        input.writeBytes([0, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0])
        deframer.append(input)
        #expect(try deframer.nextMessage()?.readableBytes == 3)
        #expect(try deframer.nextMessage()?.readableBytes == 0)
        #expect(try deframer.nextMessage() == nil)
        #expect(deframer.bufferedBytes == 1)
        // Only the prefix of an 11-byte message: refused before its body arrives.
        deframer.append(ByteBuffer(bytes: [0, 0, 0, 11]))
        #expect(throws: GRPCMessageDeframer.Failure.messageTooLarge(length: 11, limit: 10)) {
            try deframer.nextMessage()
        }
        var compressed = GRPCMessageDeframer(maxMessageLength: 10, allocator: ByteBufferAllocator())
        compressed.append(ByteBuffer(bytes: [1, 0, 0, 0, 1, 9]))
        #expect(throws: GRPCMessageDeframer.Failure.compressedWithoutEncoding) { try compressed.nextMessage() }
    }
}
