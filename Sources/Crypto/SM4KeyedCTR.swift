import COpenSSL

/// SM4-CTR under one key, for many short messages from many threads: cipher contexts are keyed once and reused,
/// only the counter block changes per message. Making a context and running the key schedule for every box cost
/// more than encrypting a record's PII section.
final class SM4KeyedCTR: @unchecked Sendable {
    /// An OpenSSL cipher context holding the key; used by one call at a time.
    private final class KeyedContext {
        let pointer: OpaquePointer

        init(key: [UInt8]) throws {
            guard key.count == SM4.keyByteCount else {
                throw CryptoError("SM4 key", detail: "expected \(SM4.keyByteCount) bytes, got \(key.count)")
            }
            guard let pointer = EVP_CIPHER_CTX_new() else { throw CryptoError("EVP_CIPHER_CTX_new") }
            self.pointer = pointer
            guard EVP_CipherInit_ex2(pointer, EVPCiphers.shared.sm4CTR, key, nil, 1, nil) == 1,
                  EVP_CIPHER_CTX_set_padding(pointer, 0) == 1
            else { throw CryptoError("SM4 init") }
        }

        deinit { EVP_CIPHER_CTX_free(pointer) }
    }

    private let key: [UInt8]
    private let idle = IdlePool<KeyedContext>(capacity: 32)

    /// `key` must be 16 bytes; checked here, once.
    init(key: [UInt8]) throws {
        self.key = key
        idle.giveBack(try KeyedContext(key: key))
    }

    /// The keystream from `counterBlock` (16 bytes, incremented big-endian per block) applied to `input`: the same
    /// call encrypts and decrypts.
    func apply(counterBlock: UnsafeRawBufferPointer, to input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard counterBlock.count == SM4.blockByteCount else {
            throw CryptoError("SM4-CTR", detail: "a counter block is \(SM4.blockByteCount) bytes, got \(counterBlock.count)")
        }
        let context = try idle.take() ?? KeyedContext(key: key)
        // No cipher and no key: the context keeps both (and the key schedule); the counter restarts at the block.
        guard EVP_CipherInit_ex2(context.pointer, nil, nil, counterBlock.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                 1, nil) == 1
        else { throw CryptoError("SM4-CTR init") }
        let output = try SM4.transform(input, with: context.pointer)
        // Only a context that finished cleanly goes back.
        idle.giveBack(context)
        return output
    }
}
