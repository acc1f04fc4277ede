/// The node's data key (16 bytes, SM4): PII at rest is sealed under it, and the keyed person index is derived
/// from it. Subkeys come from it by HKDF-Expand with SM3 (one block each, distinct labels), so none is used for
/// two purposes:
///
///     sealing       SM4SealingKey(dataKey)                   (its own SM4-CTR and HMAC-SM3 subkeys)
///     nonce key     HMAC-SM3(dataKey, "yibao-ledger deterministic nonce v1" ‖ 0x01)
///     check value   HMAC-SM3(dataKey, "yibao-ledger data key check v1" ‖ 0x01)
///     person index  see `PersonIndexKey`
///
/// Sealing is deterministic, because a verifier replays the state databases from the entries and compares them
/// byte for byte: the counter block is HMAC-SM3(nonce key, transaction hash ‖ associated data)[0..<16]. That is
/// safe because everything sealed this way is a function of one entry: the transaction hash is SM3 over the
/// entry's exact bytes, so one (transaction hash, associated data) pair always seals the same plaintext, and a
/// repeated counter block only ever repeats the same ciphertext — which tells nothing the hash did not already.
/// Different pairs give unrelated 128-bit counter blocks, as good as random ones.
public final class NodeDataKey: Sendable {
    public static let byteCount = SM4.keyByteCount

    let sealing: SM4SealingKey
    private let nonceKey: HMACKey
    /// Stored beside the data (it reveals nothing of the key) so that opening with another key is refused.
    public let checkValue: Digest32
    public let personIndex: PersonIndexKey

    /// `bytes` must be exactly 16 bytes.
    public init(_ bytes: some ContiguousBytesSequence) throws {
        sealing = try SM4SealingKey(dataKey: bytes)
        let deriver = HMACKey(bytes, algorithm: .sm3)
        nonceKey = HMACKey(deriver.authenticationCode(for: Self.label("deterministic nonce")).bytes, algorithm: .sm3)
        checkValue = deriver.authenticationCode(for: Self.label("data key check"))
        personIndex = PersonIndexKey(dataKey: bytes)
    }

    public static func random() -> [UInt8] { SM4SealingKey.randomDataKey() }

    /// `bytes` with `range` sealed (`RangeSealedBytes`), deterministically for the entry `transactionHash`:
    /// everything sealed under one transaction hash and associated data must come from that entry alone.
    /// `associatedData` says where the box belongs; opening needs the same.
    public func seal(_ bytes: [UInt8], range: Range<Int>, from transactionHash: Digest32, associatedData: [UInt8]) -> [UInt8] {
        let nonce = nonceKey.authenticationCode { context in
            transactionHash.withUnsafeBytes { context.update($0) }
            associatedData.withUnsafeBytes { context.update($0) }
        }
        let counterBlock = Array(nonce.bytes.prefix(SM4SealingKey.counterBlockByteCount))
        return bytes.withUnsafeBytes {
            RangeSealedBytes.seal($0, range: range, key: sealing, counterBlock: counterBlock, associatedData: associatedData)
        }
    }

    /// The plain bytes of a `RangeSealedBytes` form; throws `CryptoError` if it is malformed, altered, moved, or
    /// sealed under another key.
    public func open(_ stored: UnsafeRawBufferPointer, associatedData: [UInt8]) throws -> [UInt8] {
        try RangeSealedBytes.open(stored, key: sealing, associatedData: associatedData)
    }

    public func open(_ stored: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        try stored.withUnsafeBytes { try open($0, associatedData: associatedData) }
    }

    static func label(_ purpose: String) -> [UInt8] {
        Array("yibao-ledger \(purpose) v1".utf8) + [0x01]
    }
}
