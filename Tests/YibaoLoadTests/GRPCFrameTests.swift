import Testing
import YibaoLoad

/// h2load request bodies: the transport's 5-byte prefix (flag 0, big-endian length) before the message.
@Suite struct GRPCFrameTests {
    @Test func aBodyIsTheMessageBehindItsPrefix() {
        #expect(GRPCFrame.framed([7, 8, 9]) == [0, 0, 0, 0, 3, 7, 8, 9])
        #expect(GRPCFrame.framed([]) == [0, 0, 0, 0, 0])
        let large = [UInt8](repeating: 1, count: 70_000)
        #expect(Array(GRPCFrame.framed(large).prefix(5)) == [0, 0, 1, 0x11, 0x70])
    }
}
