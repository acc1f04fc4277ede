import COpenSSL

/// PEM/DER plumbing shared by the key types: memory BIOs in and out, freed on every path.
enum OpenSSLKeyEncoding {
    /// Lends the UTF-8 bytes of `text` to OpenSSL as a read-only memory BIO for the length of `body`.
    static func withReadBIO<R>(_ text: String, operation: String, _ body: (OpaquePointer) throws -> R) throws -> R {
        try Array(text.utf8).withUnsafeBytes { bytes in
            guard bytes.count > 0, bytes.count <= Int(Int32.max) else {
                throw CryptoError(operation, detail: "PEM text is empty or too long")
            }
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { throw CryptoError(operation) }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs an OpenSSL writer against a fresh memory BIO and returns what it wrote as text.
    static func writeToString(operation: String, _ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError(operation) }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw CryptoError(operation) }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = yibao_bio_get_mem_data(bio, &data)
        guard length > 0, let data else { throw CryptoError(operation, detail: "OpenSSL wrote nothing") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// A password callback that supplies none, so an encrypted PEM fails instead of prompting on the terminal.
    static let refusePassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
        _, _, _, _ in -1
    }

    /// SubjectPublicKeyInfo DER of `key` (public part only).
    static func subjectPublicKeyInfo(of key: OpaquePointer, operation: String) throws -> [UInt8] {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { throw CryptoError(operation) }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress // i2d advances the cursor past what it wrote
            return i2d_PUBKEY(key, &cursor)
        }
        guard written == length else { throw CryptoError(operation) }
        return der
    }
}
