import Foundation
import Testing
import YibaoCrypto

@Suite struct HMACTests {
    @Test func sha256RFC4231() throws {
        // RFC 4231 test case 1.
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(HMAC.authenticationCode(for: "Hi There", key: key1, algorithm: .sha256).hex
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // RFC 4231 test case 2.
        #expect(HMAC.authenticationCode(for: "what do ya want for nothing?", key: "Jefe", algorithm: .sha256).hex
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231 test case 6: a key longer than the block is hashed first.
        let key6 = [UInt8](repeating: 0xaa, count: 131)
        #expect(HMAC.authenticationCode(for: "Test Using Larger Than Block-Size Key - Hash Key First", key: key6,
                                        algorithm: .sha256).hex
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// RFC 2104 written out with our SM3: H((K ^ opad) ‖ H((K ^ ipad) ‖ m)), long keys hashed first.
    private func definitionHMACSM3(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        let block = 64
        let shortKey = key.count > block ? HashAlgorithm.sm3.hash(key).bytes : key
        let padded = shortKey + [UInt8](repeating: 0, count: block - shortKey.count)
        let inner = HashAlgorithm.sm3.hash(padded.map { $0 ^ 0x36 } + message).bytes
        return HashAlgorithm.sm3.hash(padded.map { $0 ^ 0x5c } + inner).bytes
    }

    @Test func sm3MatchesRFC2104Definition() {
        for (message, key) in [("", ""), ("abc", "key"), (String(repeating: "x", count: 200), String(repeating: "k", count: 64)),
                               ("long key", String(repeating: "K", count: 100))] {
            let m = Array(message.utf8), k = Array(key.utf8)
            #expect(HMAC.authenticationCode(for: m, key: k).bytes == definitionHMACSM3(m, key: k))
        }
    }

    @Test func sm3MatchesOpenSSLTool() throws {
        let tool = try OpenSSLCommandLine()
        let message = "110101199003077777"
        try tool.write("msg", text: message)
        let keyHex = "000102030405060708090a0b0c0d0e0f"
        let output = try tool.succeed(["mac", "-digest", "SM3", "-macopt", "hexkey:\(keyHex)", "-in", "msg", "HMAC"])
        let key = try #require(Hex.decode(keyHex))
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                == HMAC.authenticationCode(for: message, key: key).hex)
        // The older dgst spelling, with a text key.
        let dgst = try tool.succeed(["dgst", "-sm3", "-hmac", "yibao", "msg"])
        #expect(dgst.hasSuffix("= " + HMAC.authenticationCode(for: message, key: "yibao").hex + "\n"))
    }

    @Test func reusableFormsAgreeWithOneShot() async {
        let key = Array("index key".utf8)
        let ids = (0..<50).map { "1101011990030\(7000 + $0)" }
        let expected = ids.map { HMAC.authenticationCode(for: $0, key: key) }

        // One context reused for many messages resets to the key after each finalize.
        let context = HMACContext(key: key)
        #expect(ids.map { context.update($0); return context.finalize() } == expected)
        context.update("1101011990030")
        context.update("7000")
        #expect(context.finalize() == expected[0])

        // A shared key used from several tasks at once.
        let shared = HMACKey(key)
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<20).allSatisfy { _ in ids.map { shared.authenticationCode(for: $0) } == expected } }
            }
            for await ok in group { #expect(ok) }
        }
        // A message in pieces, through the contexts the shared key keeps idle between calls.
        for (i, id) in ids.enumerated() {
            #expect(shared.authenticationCode { $0.update(Array(id.utf8.prefix(5))); $0.update(Array(id.utf8.dropFirst(5))) } == expected[i])
        }
    }

    @Test func algorithmsAndKeysSeparate() {
        #expect(HMAC.authenticationCode(for: "m", key: "k", algorithm: .sm3)
                != HMAC.authenticationCode(for: "m", key: "k", algorithm: .sha256))
        #expect(HMAC.authenticationCode(for: "m", key: "k1") != HMAC.authenticationCode(for: "m", key: "k2"))
        #expect(HMACKey("k", algorithm: .sha256).authenticationCode(for: "m")
                == HMAC.authenticationCode(for: "m", key: "k", algorithm: .sha256))
    }
}

@Suite struct SecureRandomTests {
    @Test func producesRequestedCountsOfUnrepeatedBytes() {
        #expect(SecureRandom.bytes(count: 0).isEmpty)
        let a = SecureRandom.bytes(count: 32), b = SecureRandom.bytes(count: 32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        #expect(Set(SecureRandom.bytes(count: 4096)).count > 200) // all 256 values expected; a stuck generator fails
    }
}
