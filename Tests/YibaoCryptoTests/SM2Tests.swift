import Foundation
import Testing
import YibaoCrypto

/// `openssl pkeyutl` options for an SM2/SM3 signature with a given distinguishing id.
private func pkeyutlSM2(_ operation: String, userID: String = "1234567812345678") -> [String] {
    ["pkeyutl", operation, "-rawin", "-digest", "sm3", "-pkeyopt", "distid:\(userID)"]
}

@Suite struct SM2InteropTests {
    let message = Array("batch 17 root 66c7f0f462eeedd9d1f2d46bdc10e4e2".utf8)

    @Test func openSSLToolSignatureVerifiesInSwift() throws {
        let tool = try OpenSSLCommandLine()
        try tool.succeed(["genpkey", "-algorithm", "SM2", "-out", "k.pem"])
        try tool.succeed(["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"])
        try tool.write("msg", message)
        try tool.succeed(pkeyutlSM2("-sign") + ["-inkey", "k.pem", "-in", "msg", "-out", "sig"])

        let publicKey = try SM2PublicKey(pem: tool.readText("pub.pem"))
        let privateKey = try SM2PrivateKey(pem: tool.readText("k.pem"))
        #expect(privateKey.publicKey == publicKey)
        let signature = try tool.read("sig")
        #expect(publicKey.isValidSignature(signature, for: message))
        #expect(privateKey.publicKey.isValidSignature(signature, for: message))
        // The id is really part of the signed data.
        #expect(!publicKey.isValidSignature(signature, for: message, userID: Array("ALICE123@YAHOO.COM".utf8)))
        #expect(!publicKey.isValidSignature(signature, for: message, userID: []))
    }

    @Test func swiftSignatureVerifiesWithOpenSSLTool() throws {
        let tool = try OpenSSLCommandLine()
        let privateKey = SM2PrivateKey()
        try tool.write("msg", message)
        try tool.write("pub.pem", text: privateKey.publicKey.pemRepresentation)
        try tool.write("sig", privateKey.signature(for: message))

        let verified = try tool.run(pkeyutlSM2("-verify") + ["-pubin", "-inkey", "pub.pem", "-sigfile", "sig", "-in", "msg"])
        #expect(verified.status == 0)
        #expect(verified.output.contains("Signature Verified Successfully"))

        // The tool derives the same public key from our private-key PEM.
        try tool.write("k.pem", text: privateKey.pemRepresentation)
        #expect(try tool.succeed(["pkey", "-in", "k.pem", "-pubout"]) == privateKey.publicKey.pemRepresentation)

        // A message changed by one byte does not verify.
        try tool.write("msg2", message.dropLast() + [message.last! ^ 1])
        let tampered = try tool.run(pkeyutlSM2("-verify") + ["-pubin", "-inkey", "pub.pem", "-sigfile", "sig", "-in", "msg2"])
        #expect(tampered.status != 0)
        #expect(tampered.output.contains("Signature Verification Failure"))
    }

    @Test func userIDIsAppliedOnBothSides() throws {
        let tool = try OpenSSLCommandLine()
        let privateKey = SM2PrivateKey()
        let alice = "ALICE123@YAHOO.COM"
        try tool.write("msg", message)
        try tool.write("pub.pem", text: privateKey.publicKey.pemRepresentation)
        try tool.write("sig-alice", privateKey.signature(for: message, userID: Array(alice.utf8)))

        let verify = pkeyutlSM2("-verify", userID: alice) + ["-pubin", "-inkey", "pub.pem", "-in", "msg", "-sigfile"]
        let verifyDefault = pkeyutlSM2("-verify") + ["-pubin", "-inkey", "pub.pem", "-in", "msg", "-sigfile"]
        #expect(try tool.run(verify + ["sig-alice"]).status == 0)
        #expect(try tool.run(verifyDefault + ["sig-alice"]).status != 0)

        // And a default-id signature fails under another id.
        try tool.write("sig-default", privateKey.signature(for: message))
        #expect(try tool.run(verifyDefault + ["sig-default"]).status == 0)
        #expect(try tool.run(verify + ["sig-default"]).status != 0)
        let defaultSignature = try privateKey.signature(for: message)
        #expect(!privateKey.publicKey.isValidSignature(defaultSignature, for: message, userID: Array(alice.utf8)))
    }

    @Test func sec1PrivateKeyLabelsAreAccepted() throws {
        let tool = try OpenSSLCommandLine()
        try tool.succeed(["genpkey", "-algorithm", "SM2", "-out", "k.pem"])
        try tool.succeed(["ec", "-in", "k.pem", "-out", "sec1.pem"])
        let sec1 = try tool.readText("sec1.pem")
        #expect(sec1.hasPrefix("-----BEGIN SM2 PRIVATE KEY-----"))
        let pkcs8Key = try SM2PrivateKey(pem: tool.readText("k.pem"))
        let ecLabelled = sec1.replacingOccurrences(of: "SM2 PRIVATE KEY", with: "EC PRIVATE KEY")
        for pem in [sec1, ecLabelled] {
            let key = try SM2PrivateKey(pem: pem)
            #expect(key.publicKey == pkcs8Key.publicKey)
            #expect(key.pemRepresentation == pkcs8Key.pemRepresentation) // re-exported as PKCS#8
        }
    }

    @Test func compressedPublicKeyExportsUncompressed() throws {
        let tool = try OpenSSLCommandLine()
        let privateKey = SM2PrivateKey()
        try tool.write("pub.pem", text: privateKey.publicKey.pemRepresentation)
        let compressed = try tool.succeed(["ec", "-pubin", "-in", "pub.pem", "-conv_form", "compressed", "-pubout"])
        let begin = try #require(compressed.range(of: "-----BEGIN PUBLIC KEY-----"))
        let key = try SM2PublicKey(pem: String(compressed[begin.lowerBound...]))
        #expect(key == privateKey.publicKey)
        #expect(key.rawRepresentation == privateKey.publicKey.rawRepresentation)
        #expect(key.derRepresentation == privateKey.publicKey.derRepresentation)
    }

    @Test func otherKeysAreRefusedReadably() throws {
        let tool = try OpenSSLCommandLine()
        try tool.succeed(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "p256.pem"])
        try tool.succeed(["pkey", "-in", "p256.pem", "-pubout", "-out", "p256pub.pem"])
        let wrongCurve = try #require(throws: CryptoError.self) { try SM2PrivateKey(pem: tool.readText("p256.pem")) }
        #expect(wrongCurve.description.contains("expected an SM2 key"))
        #expect(throws: CryptoError.self) { try SM2PublicKey(pem: tool.readText("p256pub.pem")) }

        // Encrypted keys fail at once instead of prompting for a password.
        try tool.succeed(["genpkey", "-algorithm", "SM2", "-aes-128-cbc", "-pass", "pass:secret", "-out", "enc.pem"])
        #expect(throws: CryptoError.self) { try SM2PrivateKey(pem: tool.readText("enc.pem")) }
    }
}

/// DER for an SM2/ECDSA signature: SEQUENCE { INTEGER r, INTEGER s } from 32-byte big-endian r and s.
private func derSignature(r: [UInt8], s: [UInt8]) -> [UInt8] {
    func integer(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.drop { $0 == 0 })
        if body.first.map({ $0 >= 0x80 }) ?? true { body.insert(0, at: 0) } // keep it positive (and non-empty)
        return [0x02, UInt8(body.count)] + body
    }
    let content = integer(r) + integer(s)
    return [0x30, UInt8(content.count)] + content
}

@Suite struct SM2IndependentImplementationTests {
    /// Made once, offline, by the pure-Python `gmssl` 3.2.2 package (its own SM2/SM3 code, default id
    /// "1234567812345678"): private key e838073b…e260, signature r ‖ s. Fixed here so tests need no network.
    @Test func gmsslSignatureVerifies() throws {
        let publicKey = try SM2PublicKey(rawRepresentation: try #require(Hex.decode(
            "041f74f0d46051c93128e6672b9691a4bba26808a89cc65ec4269d13a9bc1b903b"
            + "b1b1926f4dfcd3b9e809b39facceae956a3ab061c2f892ac82d12881bae3d0a4")))
        let message = Array("yibao ledger SM2 cross-check with gmssl".utf8)
        let signature = derSignature(
            r: try #require(Hex.decode("d62848332016a03fcef382805346eed0ce4f8de5689995361d47b9dcfe07d6a9")),
            s: try #require(Hex.decode("aa5ec7fbee5cc6441b3d0c7697fbe5fe5abc0f0e8f0942e0e5ef956667905c73")))
        #expect(publicKey.isValidSignature(signature, for: message))
        #expect(!publicKey.isValidSignature(signature, for: message + [0x21]))
        #expect(!publicKey.isValidSignature(signature, for: message, userID: Array("ALICE123@YAHOO.COM".utf8)))
    }
}

@Suite struct SM2SignatureTests {
    let key = SM2PrivateKey()
    let message = Array("claim 2026-000017 approved".utf8)

    @Test func signsAndVerifies() throws {
        let signature = try key.signature(for: message)
        #expect(signature.count <= 72 && signature.first == 0x30)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        // Randomised signing: a second signature differs but also verifies.
        let again = try key.signature(for: message)
        #expect(again != signature)
        #expect(key.publicKey.isValidSignature(again, for: message))
        #expect(!SM2PrivateKey().publicKey.isValidSignature(signature, for: message))
    }

    @Test func emptyMessageAndEmptyUserID() throws {
        let empty = try key.signature(for: [UInt8]())
        #expect(key.publicKey.isValidSignature(empty, for: [UInt8]()))
        #expect(!key.publicKey.isValidSignature(empty, for: [0]))
        let noID = try key.signature(for: message, userID: [])
        #expect(key.publicKey.isValidSignature(noID, for: message, userID: []))
        #expect(!key.publicKey.isValidSignature(noID, for: message))
    }

    @Test func tamperingIsDetected() throws {
        let signature = try key.signature(for: message)
        for position in message.indices {
            var altered = message
            altered[position] ^= 0x80
            #expect(!key.publicKey.isValidSignature(signature, for: altered))
        }
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
        for position in signature.indices {
            var altered = signature
            altered[position] ^= 0x01
            #expect(!key.publicKey.isValidSignature(altered, for: message), "signature byte \(position)")
        }
        for length in 0..<signature.count {
            #expect(!key.publicKey.isValidSignature(Array(signature.prefix(length)), for: message))
        }
        #expect(!key.publicKey.isValidSignature(signature + [0], for: message)) // trailing bytes: not canonical DER
    }

    @Test func garbageSignaturesAreFalse() {
        let garbage: [[UInt8]] = [
            [], [0x30], [0x30, 0x00], [0x30, 0x80, 0x00, 0x00], [0x02, 0x01, 0x01],
            [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00],         // r = s = 0
            [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],         // tiny r, s
            [0x30, 0xff] + [UInt8](repeating: 0xff, count: 300),
            SecureRandom.bytes(count: 72), SecureRandom.bytes(count: 10_000),
        ]
        for signature in garbage {
            #expect(!key.publicKey.isValidSignature(signature, for: message))
        }
    }

    @Test func keysRoundTrip() throws {
        let privatePEM = key.pemRepresentation
        #expect(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let reread = try SM2PrivateKey(pem: privatePEM)
        #expect(reread.pemRepresentation == privatePEM)
        #expect(reread.publicKey == key.publicKey)
        #expect(key.publicKey.isValidSignature(try reread.signature(for: message), for: message))

        let publicKey = key.publicKey
        #expect(publicKey.pemRepresentation.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(try SM2PublicKey(pem: publicKey.pemRepresentation) == publicKey)
        #expect(try SM2PublicKey(derSPKI: publicKey.derRepresentation) == publicKey)
        let raw = publicKey.rawRepresentation
        #expect(raw.count == 65 && raw[0] == 0x04)
        #expect(try SM2PublicKey(rawRepresentation: raw) == publicKey)
        // SPKI for SM2 is a fixed 26-byte prefix (id-ecPublicKey, curve 1.2.156.10197.1.301) then the point.
        #expect(Hex.encode(publicKey.derRepresentation.prefix(26)) == "3059301306072a8648ce3d020106082a811ccf5501822d034200")
        #expect(Array(publicKey.derRepresentation.dropFirst(26)) == raw)
        #expect(publicKey != SM2PrivateKey().publicKey)
    }

    @Test func badKeyInputsThrowReadableErrors() throws {
        let garbagePEM = try #require(throws: CryptoError.self) { try SM2PrivateKey(pem: "not a key") }
        #expect(garbagePEM.description.hasPrefix("SM2PrivateKey(pem:): no readable unencrypted private key"))
        #expect(throws: CryptoError.self) { try SM2PrivateKey(pem: "") }
        #expect(throws: CryptoError.self) { try SM2PrivateKey(pem: key.publicKey.pemRepresentation) }
        let corrupted = key.pemRepresentation.replacingOccurrences(of: "A", with: "B")
        #expect(throws: CryptoError.self) { try SM2PrivateKey(pem: corrupted) }

        let publicGarbage = try #require(throws: CryptoError.self) { try SM2PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }
        #expect(publicGarbage.description.contains("SM2PublicKey(pem:)"))
        #expect(throws: CryptoError.self) { try SM2PublicKey(pem: key.pemRepresentation) }
        #expect(throws: CryptoError.self) { try SM2PublicKey(derSPKI: [UInt8]()) }
        #expect(throws: CryptoError.self) { try SM2PublicKey(derSPKI: SecureRandom.bytes(count: 91)) }
        #expect(throws: CryptoError.self) { try SM2PublicKey(derSPKI: key.publicKey.derRepresentation + [0]) }
        #expect(throws: CryptoError.self) { try SM2PublicKey(derSPKI: key.publicKey.derRepresentation.dropLast()) }

        var offCurve = key.publicKey.rawRepresentation
        offCurve[64] ^= 1
        let notOnCurve = try #require(throws: CryptoError.self) { try SM2PublicKey(rawRepresentation: offCurve) }
        #expect(notOnCurve.description.contains("not a point on the SM2 curve"))
        #expect(throws: CryptoError.self) { try SM2PublicKey(rawRepresentation: [0x02] + key.publicKey.rawRepresentation.dropFirst()) }
        #expect(throws: CryptoError.self) { try SM2PublicKey(rawRepresentation: key.publicKey.rawRepresentation.dropLast()) }
        #expect(throws: CryptoError.self) { try SM2PublicKey(rawRepresentation: [UInt8]()) }
        #expect(throws: CryptoError.self) { try SM2PublicKey(rawRepresentation: [0x04] + [UInt8](repeating: 0, count: 64)) }
    }

    @Test func oversizedUserIDThrowsOnSignAndFailsOnVerify() throws {
        let huge = [UInt8](repeating: 0x41, count: 9000)
        #expect(throws: CryptoError.self) { try key.signature(for: message, userID: huge) }
        #expect(!key.publicKey.isValidSignature(try key.signature(for: message), for: message, userID: huge))
    }

    @Test func sharedKeysAcrossTasks() async throws {
        let key = self.key, message = self.message
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let own = message + [UInt8(i)]
                    for _ in 0..<25 {
                        let signature = try key.signature(for: own)
                        guard key.publicKey.isValidSignature(signature, for: own),
                              !key.publicKey.isValidSignature(signature, for: message) else { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
