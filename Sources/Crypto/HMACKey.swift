/// An HMAC key prepared once and shared between threads, e.g. a keyed index over ID numbers.
/// Each call copies the primed state, so calls never contend; a per-thread `HMACContext` is cheaper still.
public final class HMACKey: @unchecked Sendable {
    public var algorithm: HashAlgorithm { primed.algorithm }
    // Never updated after init; only read by EVP_MAC_CTX_dup, which leaves its source untouched.
    private let primed: HMACContext

    public init(_ key: some ContiguousBytesSequence, algorithm: HashAlgorithm = .sm3) {
        primed = HMACContext(key: key, algorithm: algorithm)
    }

    public func authenticationCode(for message: UnsafeRawBufferPointer) -> Digest32 {
        let context = HMACContext(copying: primed)
        context.update(message)
        return context.finalizeWithoutReset()
    }

    public func authenticationCode(for message: some ContiguousBytesSequence) -> Digest32 {
        message.withContiguousBytes { authenticationCode(for: $0) }
    }

    /// A fresh context already holding this key, for MACs over several pieces (e.g. header, then ciphertext).
    public func makeContext() -> HMACContext {
        HMACContext(copying: primed)
    }
}
