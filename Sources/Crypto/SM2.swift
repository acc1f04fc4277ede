import COpenSSL

/// SM2 signatures (GB/T 32918) over SM3. Keys are `SM2PrivateKey` and `SM2PublicKey`.
///
/// An SM2 signature hashes Z ‖ message, where Z binds the signer's user id and public key.
/// Both sides must use the same user id; GB/T 32918 and GM/T 0009 fix the default below.
public enum SM2 {
    /// The standard default distinguishing id, "1234567812345678".
    public static let defaultUserID: [UInt8] = Array("1234567812345678".utf8)

    /// Z's length field counts bits in 16 bits, and OpenSSL rejects ids at or over 8191 bytes.
    static let userIDByteCountLimit = 8190

    /// Runs `body` with a DigestSign/DigestVerify context for `key`, SM3 and `userID`, then frees both contexts.
    ///
    /// OpenSSL 3.0 applies no default id by itself (it would hash with an empty one), so the id goes on an
    /// EVP_PKEY_CTX we create and attach before init — the sequence its SM2(7) manual prescribes.
    static func withDigestContext<R>(key: OpaquePointer, userID: [UInt8], signing: Bool, operation: String,
                                     _ body: (OpaquePointer) throws -> R) throws -> R {
        guard userID.count <= userIDByteCountLimit else {
            throw CryptoError(operation, detail: "user id is \(userID.count) bytes; SM2 allows at most \(userIDByteCountLimit)")
        }
        guard let keyContext = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else { throw CryptoError(operation) }
        defer { EVP_PKEY_CTX_free(keyContext) }
        guard let digestContext = EVP_MD_CTX_new() else { throw CryptoError(operation) }
        // Declared after keyContext so it is freed first: it borrows keyContext without owning it.
        defer { EVP_MD_CTX_free(digestContext) }

        let idSet = userID.withUnsafeBytes { id in
            EVP_PKEY_CTX_set1_id(keyContext, id.baseAddress, Int32(id.count))
        }
        guard idSet > 0 else { throw CryptoError(operation) }
        EVP_MD_CTX_set_pkey_ctx(digestContext, keyContext)
        let initialised = signing
            ? EVP_DigestSignInit(digestContext, nil, HashAlgorithm.sm3.evp, nil, key)
            : EVP_DigestVerifyInit(digestContext, nil, HashAlgorithm.sm3.evp, nil, key)
        guard initialised == 1 else { throw CryptoError(operation) }
        return try body(digestContext)
    }

    /// Takes ownership of `key`: returns it if it is an SM2 key, frees it and throws otherwise.
    static func requireSM2(_ key: OpaquePointer, operation: String) throws -> OpaquePointer {
        guard EVP_PKEY_is_a(key, "SM2") == 1 else {
            let type = EVP_PKEY_get0_type_name(key).map { String(cString: $0) } ?? "unknown"
            EVP_PKEY_free(key)
            throw CryptoError(operation, detail: "expected an SM2 key, found \(type) (an EC key on another curve?)")
        }
        return key
    }
}
