import Testing
import YibaoCrypto

/// Both seal formats survive an encode and decode; hostile seal bytes are refused, never trusted.
@Suite struct BatchSealFormatTests {
    private let outcomes: [BatchSeal.Outcome] = [.landed(index: 7), .refused(leafHash: Digest32(bytes: Array(repeating: UInt8(0xab), count: 32))!), .landed(index: 9)]
    private let authentications: [BatchAuthentication] = [
        .mutualTLS(certificateSHA256: Array(repeating: 0x11, count: 32)),
        .signedRequest(method: "/yibao.v1.InvoiceService/LockInvoice", timestampMs: 1_763_856_000_123,
                       requestDigest: Digest32(bytes: Array(repeating: UInt8(0x42), count: 32))!, signature: Array(repeating: 0x30, count: 71)),
        .development,
    ]

    private func decode(_ bytes: [UInt8]) throws -> BatchSeal {
        try bytes.withUnsafeBytes { try BatchSeal(decoding: $0) }
    }

    @Test func orgSignedSealsKeepFormatOne() throws {
        let seal = BatchSeal(commitTimeMs: 5, outcomes: outcomes, signature: [1, 2, 3])
        #expect(seal.encoded[0] == 1)
        #expect(try decode(seal.encoded) == seal)
    }

    @Test func attestedSealsRoundTripWithTheirEvidence() throws {
        for authentication in authentications {
            let seal = BatchSeal(commitTimeMs: 5, outcomes: outcomes, authentication: authentication, signature: [9, 8])
            #expect(seal.encoded[0] == 2)
            #expect(try decode(seal.encoded) == seal)
        }
    }

    @Test func everyTruncationAndAnUnknownTagAreRefused() throws {
        for authentication in authentications {
            let bytes = BatchSeal(commitTimeMs: 5, outcomes: outcomes, authentication: authentication, signature: [9, 8]).encoded
            for cut in 0..<bytes.count {
                #expect(throws: FormatError.self) { try decode(Array(bytes[..<cut])) }
            }
        }
        var bytes = BatchSeal(commitTimeMs: 5, outcomes: [], authentication: .development, signature: []).encoded
        let tagOffset = 1 + 8 + 4
        bytes[tagOffset] = 4
        #expect(throws: FormatError("authentication tag 4 is none of 1, 2, 3")) { try decode(bytes) }
        bytes[0] = 3
        #expect(throws: FormatError.self) { try decode(bytes) }
    }
}
