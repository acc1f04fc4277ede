import Foundation
import Testing
import YibaoCrypto

/// The bytes a signed call's signature covers, against the test vector docs/api.md gives integrators: a client
/// written from the docs alone must produce exactly these bytes.
@Suite struct RequestSigningMessageTests {
    static let vectorHex = "796962616f2d63616c6c2d7631232f796962616f2e76312e496e766f696365536572766963652f476574496e766f6963650c"
        + "483436303130363030303031000001a206574c941ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"

    @Test func theDocumentedVector() throws {
        let digest = HashAlgorithm.sm3.hash([])
        #expect(digest.hex == "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b")
        let bytes = RequestSigningMessage.bytes(method: "/yibao.v1.InvoiceService/GetInvoice", org: "H46010600001",
                                                timestampMs: 1_795_402_714_260, requestDigest: digest)
        #expect(bytes.count == 102)
        #expect(bytes.map { String(format: "%02x", $0) }.joined() == Self.vectorHex)
    }

    /// The vector in docs/api.md is the one checked here (the doc splits it over two lines).
    @Test func theDocsCarryTheSameVector() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/api.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let hexLines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count >= 64 && $0.allSatisfy(\.isHexDigit) }
        #expect(hexLines.joined() == Self.vectorHex, "docs/api.md's signed-call vector")
    }

    /// A signature over the message verifies with the signer's public key and not over a changed timestamp.
    @Test func aSignatureCoversTheTimestamp() throws {
        let key = SM2PrivateKey()
        let digest = HashAlgorithm.sm3.hash(Array("request".utf8))
        let message = RequestSigningMessage.bytes(method: "/m", org: "O", timestampMs: 1, requestDigest: digest)
        let signature = try key.signature(for: message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        let later = RequestSigningMessage.bytes(method: "/m", org: "O", timestampMs: 2, requestDigest: digest)
        #expect(!key.publicKey.isValidSignature(signature, for: later))
    }
}
