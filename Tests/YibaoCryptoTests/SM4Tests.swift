import Testing
import YibaoCrypto

@Suite struct SM4BlockTests {
    @Test func standardVector() throws {
        // GB/T 32907-2016 appendix A, example 1: key = plaintext.
        let key = try #require(Hex.decode("0123456789abcdeffedcba9876543210"))
        let ciphertext = try SM4.encryptBlock(key, key: key)
        #expect(Hex.encode(ciphertext) == "681edf34d206965e86b3e94f536e4246")
        #expect(try SM4.decryptBlock(ciphertext, key: key) == key)
    }

    @Test func wrongSizesAreRejected() {
        let block = [UInt8](repeating: 0, count: 16)
        #expect(throws: CryptoError.self) { try SM4.encryptBlock(block, key: [UInt8](repeating: 0, count: 15)) }
        #expect(throws: CryptoError.self) { try SM4.encryptBlock([UInt8](repeating: 0, count: 17), key: block) }
        #expect(throws: CryptoError.self) { try SM4.decryptBlock([UInt8](), key: block) }
    }
}

@Suite struct SM4SealingKeyTests {
    let dataKey = SM4SealingKey.randomDataKey()

    @Test func roundTripsManyLengthsWithAndWithoutAssociatedData() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        for length in [0, 1, 15, 16, 17, 31, 32, 33, 1000, 70_000] {
            let plaintext = SecureRandom.bytes(count: length)
            let sealed = key.seal(plaintext)
            #expect(sealed.count == length + SM4SealingKey.overhead)
            #expect(sealed[0] == SM4SealingKey.version)
            #expect(try key.open(sealed) == plaintext)

            let bound = key.seal(plaintext, associatedData: "claim 42")
            #expect(try key.open(bound, associatedData: "claim 42") == plaintext)
        }
    }

    @Test func sealingTwiceGivesDifferentOutput() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        let a = key.seal("same record"), b = key.seal("same record")
        #expect(a != b)
        #expect(Array(a[1..<17]) != Array(b[1..<17])) // fresh random counter block each time
    }

    @Test func ciphertextHidesPlaintext() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        let plaintext = [UInt8](repeating: 0x41, count: 64)
        let sealed = key.seal(plaintext)
        #expect(Array(sealed[17..<(17 + 64)]) != plaintext)
    }

    @Test func everyFlippedByteIsDetected() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        let sealed = key.seal("patient 110101199003077777: 2 days inpatient", associatedData: "org-7")
        // Every position: version (0), counter block (1...16), ciphertext, tag (last 32).
        for position in sealed.indices {
            var altered = sealed
            altered[position] ^= 0x01
            let expected: CryptoError = position == 0 ? .sealedBoxUnsupportedVersion(SM4SealingKey.version ^ 0x01)
                                                      : .sealedBoxAuthenticationFailed
            #expect(throws: expected, "byte \(position)") { try key.open(altered, associatedData: "org-7") }
        }
    }

    @Test func associatedDataMustMatch() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        let sealed = key.seal("record", associatedData: "org-7")
        for wrong in ["org-8", "", "org-7 ", "org-"] {
            #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try key.open(sealed, associatedData: wrong) }
        }
        #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try key.open(sealed) }
    }

    @Test func wrongKeyFails() throws {
        let sealed = try SM4SealingKey(dataKey: dataKey).seal("record")
        let other = try SM4SealingKey(dataKey: SM4SealingKey.randomDataKey())
        #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try other.open(sealed) }
    }

    @Test func truncatedInputsFailCleanly() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        let sealed = key.seal("x") // one byte longer than the minimum
        for length in 0..<SM4SealingKey.overhead {
            #expect(throws: CryptoError.sealedBoxTruncated, "length \(length)") { try key.open(Array(sealed.prefix(length))) }
        }
        // Exactly the minimum parses, but the tag no longer covers what is left.
        #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try key.open(Array(sealed.prefix(SM4SealingKey.overhead))) }
        #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try key.open(Array(sealed.dropLast())) }
    }

    @Test func unknownVersionIsNamed() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        var sealed = key.seal("record")
        sealed[0] = 2
        #expect(throws: CryptoError.sealedBoxUnsupportedVersion(2)) { try key.open(sealed) }
        #expect(CryptoError.sealedBoxUnsupportedVersion(2).description.contains("version 2"))
    }

    @Test func dataKeyMustBeSixteenBytes() {
        for count in [0, 15, 17, 32] {
            #expect(throws: CryptoError.self) { try SM4SealingKey(dataKey: [UInt8](repeating: 1, count: count)) }
        }
    }

    /// Rebuilds a sealed box by the documented layout and key derivation, decrypting with the `openssl` tool,
    /// so a silent change to the on-disk format fails here.
    @Test func layoutMatchesDocumentationAndOpenSSLTool() throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        // The key reuses its cipher contexts: one left mid-block by an earlier box must start the next afresh.
        _ = key.seal(Array("twenty-one bytes long".utf8), associatedData: [])
        let plaintext = Array("GB/T 32907 at rest".utf8), associatedData = Array("org-7".utf8)
        let sealed = key.seal(plaintext, associatedData: associatedData)

        let encryptionKey = Array(HMAC.authenticationCode(for: Array("yibao-ledger sealed box v1 SM4-CTR".utf8) + [1],
                                                          key: dataKey).bytes.prefix(16))
        let macKey = HMAC.authenticationCode(for: Array("yibao-ledger sealed box v1 HMAC-SM3".utf8) + [1], key: dataKey).bytes
        let counterBlock = Array(sealed[1..<17])
        let ciphertext = Array(sealed[17..<(sealed.count - 32)])
        let tag = Array(sealed.suffix(32))

        var lengthPrefix = [UInt8](repeating: 0, count: 8)
        lengthPrefix[7] = UInt8(associatedData.count)
        let macInput = [sealed[0]] + counterBlock + lengthPrefix + associatedData + ciphertext
        #expect(HMAC.authenticationCode(for: macInput, key: macKey).bytes == tag)

        let tool = try OpenSSLCommandLine()
        try tool.write("ct", ciphertext)
        try tool.succeed(["enc", "-d", "-sm4-ctr", "-K", Hex.encode(encryptionKey), "-iv", Hex.encode(counterBlock),
                          "-in", "ct", "-out", "pt"])
        #expect(try tool.read("pt") == plaintext)
    }

    @Test func sharedAcrossTasks() async throws {
        let key = try SM4SealingKey(dataKey: dataKey)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    for j in 0..<200 {
                        let message = Array("record \(i)-\(j)".utf8)
                        let opened = try key.open(key.seal(message, associatedData: [UInt8(i)]), associatedData: [UInt8(i)])
                        guard opened == message else { throw CryptoError("round trip", detail: "mismatch") }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
