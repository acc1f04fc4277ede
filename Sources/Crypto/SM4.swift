import COpenSSL

/// The SM4 block cipher (GB/T 32907-2016): 128-bit key, 128-bit block.
/// Raw block operations are here for test vectors and key derivation; use `SM4SealingKey` to protect data.
public enum SM4 {
    public static let keyByteCount = 16
    public static let blockByteCount = 16

    /// Encrypts exactly one 16-byte block (ECB, no padding).
    public static func encryptBlock(_ block: some ContiguousBytesSequence, key: some ContiguousBytesSequence) throws -> [UInt8] {
        try transformBlock(block, key: key, encrypting: true)
    }

    /// Decrypts exactly one 16-byte block (ECB, no padding).
    public static func decryptBlock(_ block: some ContiguousBytesSequence, key: some ContiguousBytesSequence) throws -> [UInt8] {
        try transformBlock(block, key: key, encrypting: false)
    }

    private static func transformBlock(_ block: some ContiguousBytesSequence, key: some ContiguousBytesSequence,
                                       encrypting: Bool) throws -> [UInt8] {
        try block.withContiguousBytes { block in
            guard block.count == blockByteCount else {
                throw CryptoError("SM4 block", detail: "expected \(blockByteCount) bytes, got \(block.count)")
            }
            return try key.withContiguousBytes { key in
                try run(EVPCiphers.shared.sm4ECB, key: key, iv: nil, encrypting: encrypting, input: block)
            }
        }
    }

    /// One pass through an unpadded EVP cipher; each call has its own context, so keys can be shared by threads.
    private static func run(_ cipher: OpaquePointer, key: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer?,
                            encrypting: Bool, input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard key.count == keyByteCount else {
            throw CryptoError("SM4 key", detail: "expected \(keyByteCount) bytes, got \(key.count)")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_CipherInit_ex2(context, cipher, key.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                 iv?.baseAddress?.assumingMemoryBound(to: UInt8.self), encrypting ? 1 : 0, nil) == 1,
              EVP_CIPHER_CTX_set_padding(context, 0) == 1
        else { throw CryptoError("SM4 init") }
        return try transform(input, with: context)
    }

    /// Runs `input` through an initialised, unpadded context: ECB and CTR without padding write exactly as many
    /// bytes as they read.
    static func transform(_ input: UnsafeRawBufferPointer, with context: OpaquePointer) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count)
        try output.withUnsafeMutableBytes { output in
            var done = 0
            while done < input.count {
                // EVP_CipherUpdate takes an Int32 length; large inputs go in slices (CTR keeps its place between them).
                let slice = min(input.count - done, 1 << 30)
                var written: Int32 = 0
                guard EVP_CipherUpdate(context, output.baseAddress!.advanced(by: done).assumingMemoryBound(to: UInt8.self),
                                       &written, input.baseAddress!.advanced(by: done).assumingMemoryBound(to: UInt8.self),
                                       Int32(slice)) == 1, Int(written) == slice
                else { throw CryptoError("SM4 update") }
                done += slice
            }
            // Unpadded, the final call writes nothing; its buffer lives on the stack, not one allocation per box.
            var tail: Int32 = 0
            let finished = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: blockByteCount) {
                EVP_CipherFinal_ex(context, $0.baseAddress, &tail)
            }
            guard finished == 1, tail == 0 else { throw CryptoError("SM4 final") }
        }
        return output
    }
}

/// SM4 modes, fetched once; OpenSSL makes fetched ciphers safe to share between threads.
final class EVPCiphers: @unchecked Sendable {
    static let shared = EVPCiphers()
    let sm4ECB: OpaquePointer
    let sm4CTR: OpaquePointer

    private init() {
        guard let ecb = EVP_CIPHER_fetch(nil, "SM4-ECB", nil), let ctr = EVP_CIPHER_fetch(nil, "SM4-CTR", nil) else {
            fatalError("OpenSSL lacks SM4-ECB or SM4-CTR: \(CryptoError.drainOpenSSLErrors())")
        }
        sm4ECB = ecb
        sm4CTR = ctr
    }
}
