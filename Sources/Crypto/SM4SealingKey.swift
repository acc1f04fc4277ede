import COpenSSL

/// Authenticated encryption at rest with one 16-byte SM4 data key.
///
/// OpenSSL 3.0 has no SM4-GCM (it arrived in 3.2), so this is encrypt-then-MAC: SM4-CTR, then HMAC-SM3
/// over everything that precedes the tag plus the associated data.
///
/// Sealed layout, version 1 (49 bytes of overhead):
///
///     version (1 byte = 0x01) ‖ counter block (16 random bytes) ‖ ciphertext (same length as plaintext) ‖ tag (32 bytes)
///
/// tag = HMAC-SM3(macKey, version ‖ counter block ‖ UInt64 big-endian byte count of AD ‖ AD ‖ ciphertext).
/// The length prefix keeps the AD/ciphertext boundary unambiguous.
///
/// Two independent subkeys come from the data key by HKDF-Expand (RFC 5869) with SM3, using the data key
/// (already uniformly random) as the pseudorandom key, one output block each:
///
///     encryptionKey = HMAC-SM3(dataKey, "yibao-ledger sealed box v1 SM4-CTR" ‖ 0x01)[0..<16]
///     macKey        = HMAC-SM3(dataKey, "yibao-ledger sealed box v1 HMAC-SM3" ‖ 0x01)
///
/// The counter block is random, so one key should seal well under 2^48 boxes; CTR counts over all 128 bits.
public final class SM4SealingKey: Sendable {
    public static let version: UInt8 = 1
    public static let counterBlockByteCount = SM4.blockByteCount
    public static let tagByteCount = Digest32.byteCount
    /// The shortest valid sealed box: an empty plaintext.
    public static let overhead = 1 + counterBlockByteCount + tagByteCount

    private let encryption: SM4KeyedCTR
    private let macKey: HMACKey

    /// `dataKey` must be exactly 16 bytes (an SM4 key).
    public init(dataKey: some ContiguousBytesSequence) throws {
        let count = dataKey.withContiguousBytes { $0.count }
        guard count == SM4.keyByteCount else {
            throw CryptoError("SM4SealingKey", detail: "data key must be \(SM4.keyByteCount) bytes, got \(count)")
        }
        let deriver = HMACKey(dataKey, algorithm: .sm3)
        encryption = try SM4KeyedCTR(key: Array(deriver.authenticationCode(for: Self.label("SM4-CTR")).bytes.prefix(SM4.keyByteCount)))
        macKey = HMACKey(deriver.authenticationCode(for: Self.label("HMAC-SM3")).bytes, algorithm: .sm3)
    }

    /// A fresh random data key, for callers that store it wrapped elsewhere.
    public static func randomDataKey() -> [UInt8] { SecureRandom.bytes(count: SM4.keyByteCount) }

    public func seal(_ plaintext: some ContiguousBytesSequence,
                     associatedData: some ContiguousBytesSequence = [UInt8]()) -> [UInt8] {
        seal(plaintext, associatedData: associatedData, counterBlock: SecureRandom.bytes(count: Self.counterBlockByteCount))
    }

    /// Seals with a counter block the caller chose, for stores that must seal deterministically (a verifier
    /// replays them and compares bytes). Safe only if one counter block never seals two different plaintexts:
    /// derive it from something that determines the plaintext (see `NodeDataKey.seal(_:range:from:associatedData:)`).
    public func seal(_ plaintext: some ContiguousBytesSequence, associatedData: some ContiguousBytesSequence,
                     counterBlock: [UInt8]) -> [UInt8] {
        precondition(counterBlock.count == Self.counterBlockByteCount, "a counter block is \(Self.counterBlockByteCount) bytes")
        let ciphertext = plaintext.withContiguousBytes { plaintext in
            counterBlock.withUnsafeBytes { counter in
                do { return try encryption.apply(counterBlock: counter, to: plaintext) }
                catch { preconditionFailure("SM4-CTR failed with a valid key: \(error)") }
            }
        }
        var sealed = [UInt8]()
        sealed.reserveCapacity(Self.overhead + ciphertext.count)
        sealed.append(Self.version)
        sealed += counterBlock
        sealed += ciphertext
        let code = associatedData.withContiguousBytes { associatedData in
            sealed.withUnsafeBytes { authenticationTag(headerAndCiphertext: $0, associatedData: associatedData) }
        }
        sealed += code.bytes
        return sealed
    }

    /// Checks the tag before decrypting anything; throws `.sealedBoxTruncated`, `.sealedBoxUnsupportedVersion`
    /// or `.sealedBoxAuthenticationFailed`.
    public func open(_ sealed: some ContiguousBytesSequence,
                     associatedData: some ContiguousBytesSequence = [UInt8]()) throws -> [UInt8] {
        try sealed.withContiguousBytes { sealed in
            guard sealed.count >= Self.overhead else { throw CryptoError.sealedBoxTruncated }
            guard sealed[0] == Self.version else { throw CryptoError.sealedBoxUnsupportedVersion(sealed[0]) }
            let tagStart = sealed.count - Self.tagByteCount
            let body = UnsafeRawBufferPointer(rebasing: sealed[..<tagStart])
            let expected = associatedData.withContiguousBytes { authenticationTag(headerAndCiphertext: body, associatedData: $0) }
            let matches = expected.withUnsafeBytes { expected in
                // Constant time, so timing does not reveal how much of a forged tag was right.
                CRYPTO_memcmp(expected.baseAddress, sealed.baseAddress! + tagStart, Self.tagByteCount) == 0
            }
            guard matches else { throw CryptoError.sealedBoxAuthenticationFailed }
            let counter = UnsafeRawBufferPointer(rebasing: sealed[1..<(1 + Self.counterBlockByteCount)])
            let ciphertext = UnsafeRawBufferPointer(rebasing: sealed[(1 + Self.counterBlockByteCount)..<tagStart])
            return try encryption.apply(counterBlock: counter, to: ciphertext)
        }
    }

    private func authenticationTag(headerAndCiphertext: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer) -> Digest32 {
        let headerCount = 1 + Self.counterBlockByteCount
        return macKey.authenticationCode { context in
            context.update(UnsafeRawBufferPointer(rebasing: headerAndCiphertext[..<headerCount]))
            withUnsafeBytes(of: UInt64(associatedData.count).bigEndian) { context.update($0) }
            context.update(associatedData)
            context.update(UnsafeRawBufferPointer(rebasing: headerAndCiphertext[headerCount...]))
        }
    }

    private static func label(_ purpose: String) -> [UInt8] {
        Array("yibao-ledger sealed box v1 \(purpose)".utf8) + [0x01]
    }
}

extension CryptoError {
    public static let sealedBoxTruncated =
        CryptoError("SM4 open", detail: "sealed box shorter than the \(SM4SealingKey.overhead)-byte minimum")
    public static let sealedBoxAuthenticationFailed =
        CryptoError("SM4 open", detail: "authentication failed: wrong key, wrong associated data, or altered bytes")

    public static func sealedBoxUnsupportedVersion(_ version: UInt8) -> CryptoError {
        CryptoError("SM4 open", detail: "unsupported sealed-box version \(version) (this build reads \(SM4SealingKey.version))")
    }
}
