import COpenSSL

/// An SM2 signing key. Safe to share between threads: each signature uses its own OpenSSL contexts.
public final class SM2PrivateKey: @unchecked Sendable {
    /// The EVP_PKEY, owned; never mutated after init.
    let key: OpaquePointer
    public let publicKey: SM2PublicKey
    private let maximumSignatureByteCount: Int

    /// Takes ownership of `key` whatever happens.
    private init(owning key: OpaquePointer, operation: String) throws {
        let key = try SM2.requireSM2(key, operation: operation)
        do {
            publicKey = try SM2PublicKey(publicPartOf: key)
        } catch {
            EVP_PKEY_free(key)
            throw error
        }
        self.key = key
        // 72 for SM2: a DER SEQUENCE of two INTEGERs of up to 33 bytes each.
        maximumSignatureByteCount = Int(EVP_PKEY_get_size(key))
    }

    deinit { EVP_PKEY_free(key) }

    /// Generates a fresh key pair.
    public convenience init() {
        do {
            try self.init(owning: SM2PrivateKey.generate(), operation: "SM2PrivateKey()")
        } catch {
            fatalError("\(error)")
        }
    }

    /// Reads a PKCS#8 "PRIVATE KEY" PEM (as `openssl genpkey -algorithm SM2` writes), or a SEC1
    /// "EC PRIVATE KEY" / "SM2 PRIVATE KEY" one. Encrypted PEM is refused rather than prompting.
    public convenience init(pem: String) throws {
        let operation = "SM2PrivateKey(pem:)"
        let key = try OpenSSLKeyEncoding.withReadBIO(pem, operation: operation) { bio in
            guard let key = PEM_read_bio_PrivateKey(bio, nil, OpenSSLKeyEncoding.refusePassword, nil) else {
                throw CryptoError(operation, detail: "no readable unencrypted private key in the PEM text ("
                                  + CryptoError.drainOpenSSLErrors() + ")")
            }
            return key
        }
        try self.init(owning: key, operation: operation)
    }

    /// PKCS#8 "PRIVATE KEY" PEM, unencrypted: protect it at rest (e.g. with `SM4SealingKey`).
    public var pemRepresentation: String {
        do {
            return try OpenSSLKeyEncoding.writeToString(operation: "SM2PrivateKey.pemRepresentation") { bio in
                PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil)
            }
        } catch {
            fatalError("\(error)") // writing a valid key to memory only fails if memory runs out
        }
    }

    /// A DER-encoded SM2 signature over SM3 of Z(userID, public key) ‖ message.
    public func signature(for message: UnsafeRawBufferPointer, userID: [UInt8] = SM2.defaultUserID) throws -> [UInt8] {
        let operation = "SM2 sign"
        return try SM2.withDigestContext(key: key, userID: userID, signing: true, operation: operation) { context in
            var signature = [UInt8](repeating: 0, count: maximumSignatureByteCount)
            var length = signature.count
            // An empty message may come with a nil base address; OpenSSL wants a pointer anyway.
            let ok = withUnsafeBytes(of: UInt8(0)) { placeholder in
                EVP_DigestSign(context, &signature, &length,
                               (message.baseAddress ?? placeholder.baseAddress!).assumingMemoryBound(to: UInt8.self),
                               message.count)
            }
            guard ok == 1 else { throw CryptoError(operation) }
            signature.removeLast(signature.count - length)
            return signature
        }
    }

    public func signature(for message: some ContiguousBytesSequence, userID: [UInt8] = SM2.defaultUserID) throws -> [UInt8] {
        try message.withContiguousBytes { try signature(for: $0, userID: userID) }
    }

    private static func generate() throws -> OpaquePointer {
        let operation = "SM2 key generation"
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "SM2", nil) else { throw CryptoError(operation) }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_generate(context, &key) == 1, let key else {
            throw CryptoError(operation)
        }
        return key
    }
}
