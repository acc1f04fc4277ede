import COpenSSL

/// An SM2 verification key. Safe to share between threads: each check uses its own OpenSSL contexts.
public final class SM2PublicKey: @unchecked Sendable, Equatable {
    /// The EVP_PKEY, owned and public-only; never mutated after init.
    let key: OpaquePointer
    /// Uncompressed point 04 ‖ x ‖ y.
    public static let rawByteCount = 65

    /// Takes ownership of `key` whatever happens.
    private init(owning key: OpaquePointer, operation: String) throws {
        self.key = try SM2.requireSM2(key, operation: operation)
        // A key read from a compressed point would otherwise export compressed; the raw form promises 65 bytes.
        guard EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                             OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) == 1 else {
            throw CryptoError(operation, detail: "cannot select uncompressed points: " + CryptoError.drainOpenSSLErrors())
        }
    }

    deinit { EVP_PKEY_free(key) }

    /// Reads a SubjectPublicKeyInfo "PUBLIC KEY" PEM.
    public convenience init(pem: String) throws {
        let operation = "SM2PublicKey(pem:)"
        let key = try OpenSSLKeyEncoding.withReadBIO(pem, operation: operation) { bio in
            guard let key = PEM_read_bio_PUBKEY(bio, nil, OpenSSLKeyEncoding.refusePassword, nil) else {
                throw CryptoError(operation, detail: "no readable \"PUBLIC KEY\" block in the PEM text ("
                                  + CryptoError.drainOpenSSLErrors() + ")")
            }
            return key
        }
        try self.init(owning: key, operation: operation)
    }

    /// Reads SubjectPublicKeyInfo DER; trailing bytes are rejected.
    public convenience init(derSPKI: some ContiguousBytesSequence) throws {
        let operation = "SM2PublicKey(derSPKI:)"
        let key = try derSPKI.withContiguousBytes { der -> OpaquePointer in
            guard let start = der.baseAddress?.assumingMemoryBound(to: UInt8.self), der.count > 0 else {
                throw CryptoError(operation, detail: "empty DER")
            }
            var cursor: UnsafePointer<UInt8>? = UnsafePointer(start) // d2i advances it past what it read
            guard let key = d2i_PUBKEY(nil, &cursor, der.count) else {
                throw CryptoError(operation, detail: "not a SubjectPublicKeyInfo (" + CryptoError.drainOpenSSLErrors() + ")")
            }
            guard cursor == UnsafePointer(start) + der.count else {
                EVP_PKEY_free(key)
                throw CryptoError(operation, detail: "trailing bytes after the SubjectPublicKeyInfo")
            }
            return key
        }
        try self.init(owning: key, operation: operation)
    }

    /// Reads the 65-byte uncompressed point 04 ‖ x ‖ y; OpenSSL rejects points off the SM2 curve.
    public convenience init(rawRepresentation: some ContiguousBytesSequence) throws {
        let operation = "SM2PublicKey(rawRepresentation:)"
        let key = try rawRepresentation.withContiguousBytes { raw -> OpaquePointer in
            guard raw.count == SM2PublicKey.rawByteCount, raw[0] == 0x04 else {
                throw CryptoError(operation, detail: "expected \(SM2PublicKey.rawByteCount) bytes starting 04, got \(raw.count)")
            }
            return try SM2PublicKey.fromData(point: raw, operation: operation)
        }
        try self.init(owning: key, operation: operation)
    }

    /// Copies only the public half of a private key, so the public object never holds the secret.
    convenience init(publicPartOf privateKey: OpaquePointer) throws {
        try self.init(derSPKI: OpenSSLKeyEncoding.subjectPublicKeyInfo(of: privateKey, operation: "SM2 public key export"))
    }

    /// SubjectPublicKeyInfo DER.
    public var derRepresentation: [UInt8] {
        do { return try OpenSSLKeyEncoding.subjectPublicKeyInfo(of: key, operation: "SM2PublicKey.derRepresentation") }
        catch { fatalError("\(error)") } // encoding a valid key only fails if memory runs out
    }

    /// SubjectPublicKeyInfo "PUBLIC KEY" PEM.
    public var pemRepresentation: String {
        do {
            return try OpenSSLKeyEncoding.writeToString(operation: "SM2PublicKey.pemRepresentation") { bio in
                PEM_write_bio_PUBKEY(bio, key)
            }
        } catch {
            fatalError("\(error)")
        }
    }

    /// The uncompressed point 04 ‖ x ‖ y (65 bytes).
    public var rawRepresentation: [UInt8] {
        var raw = [UInt8](repeating: 0, count: SM2PublicKey.rawByteCount)
        var length = 0
        let ok = EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, &raw, raw.count, &length)
        precondition(ok == 1 && length == SM2PublicKey.rawByteCount,
                     "SM2 public point export failed: \(CryptoError.drainOpenSSLErrors())")
        return raw
    }

    /// True only for a valid DER signature by this key over `message` with `userID`.
    /// Garbage, truncated or non-canonical signatures give false; nothing throws.
    public func isValidSignature(_ signature: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer,
                                 userID: [UInt8] = SM2.defaultUserID) -> Bool {
        guard let signatureStart = signature.baseAddress, signature.count > 0 else { return false }
        let verified = try? SM2.withDigestContext(key: key, userID: userID, signing: false,
                                                  operation: "SM2 verify") { context in
            withUnsafeBytes(of: UInt8(0)) { placeholder in
                EVP_DigestVerify(context, signatureStart.assumingMemoryBound(to: UInt8.self), signature.count,
                                 (message.baseAddress ?? placeholder.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                 message.count)
            }
        }
        // A bad signature leaves reasons on OpenSSL's thread-local queue; clear them for the next caller.
        _ = CryptoError.drainOpenSSLErrors()
        return verified == 1
    }

    public func isValidSignature(_ signature: some ContiguousBytesSequence, for message: some ContiguousBytesSequence,
                                 userID: [UInt8] = SM2.defaultUserID) -> Bool {
        signature.withContiguousBytes { signature in
            message.withContiguousBytes { isValidSignature(signature, for: $0, userID: userID) }
        }
    }

    public static func == (a: SM2PublicKey, b: SM2PublicKey) -> Bool {
        EVP_PKEY_eq(a.key, b.key) == 1
    }

    private static func fromData(point: UnsafeRawBufferPointer, operation: String) throws -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "SM2", nil) else { throw CryptoError(operation) }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer? = nil
        let ok = OSSL_PKEY_PARAM_GROUP_NAME.withCString { groupKey in
            "SM2".withCString { groupName in
                OSSL_PKEY_PARAM_PUB_KEY.withCString { pointKey in
                    var parameters = [
                        OSSL_PARAM_construct_utf8_string(groupKey, UnsafeMutablePointer(mutating: groupName), 0),
                        OSSL_PARAM_construct_octet_string(pointKey, UnsafeMutableRawPointer(mutating: point.baseAddress),
                                                          point.count),
                        OSSL_PARAM_construct_end(),
                    ]
                    return EVP_PKEY_fromdata_init(context) == 1
                        && EVP_PKEY_fromdata(context, &key, yibao_evp_pkey_public_key_selection(), &parameters) == 1
                }
            }
        }
        guard ok, let key else {
            throw CryptoError(operation, detail: "not a point on the SM2 curve (" + CryptoError.drainOpenSSLErrors() + ")")
        }
        return key
    }
}
