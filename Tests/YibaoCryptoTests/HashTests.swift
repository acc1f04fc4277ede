import Testing
import YibaoCrypto

@Suite struct HashTests {
    @Test func sm3StandardVectors() {
        // GB/T 32905-2016 appendix A.
        #expect(HashAlgorithm.sm3.hash("abc").hex == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        let sixtyFour = String(repeating: "abcd", count: 16)
        #expect(HashAlgorithm.sm3.hash(sixtyFour).hex == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
    }

    @Test func sha256StandardVector() {
        #expect(HashAlgorithm.sha256.hash("abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func incrementalEqualsOneShot() {
        let hasher = IncrementalHasher(.sm3)
        hasher.update("ab")
        hasher.update(byte: UInt8(ascii: "c"))
        #expect(hasher.finalize() == HashAlgorithm.sm3.hash("abc"))
        // The hasher is ready again after finalize.
        hasher.update("abc")
        #expect(hasher.finalize() == HashAlgorithm.sm3.hash("abc"))
    }

    @Test func digestRoundTripsAndOrdersByBytes() throws {
        let d = HashAlgorithm.sm3.hash("abc")
        #expect(Digest32(bytes: d.bytes) == d)
        #expect(Digest32(hex: d.hex) == d)
        #expect(Digest32(bytes: [UInt8](repeating: 0, count: 31)) == nil)
        let low = try #require(Digest32(bytes: [0] + [UInt8](repeating: 0xff, count: 31)))
        let high = try #require(Digest32(bytes: [1] + [UInt8](repeating: 0, count: 31)))
        #expect(low < high)
    }
}
