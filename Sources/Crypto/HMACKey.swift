/// An HMAC key prepared once and shared between threads, e.g. a keyed index over ID numbers.
/// Calls take an idle context that already holds the key and give it back reset, so calls never contend beyond a
/// short lock; a context is copied from the primed one only when every idle one is in use.
public final class HMACKey: @unchecked Sendable {
    public var algorithm: HashAlgorithm { primed.algorithm }
    // Never updated after init; only read by EVP_MAC_CTX_dup, which leaves its source untouched.
    private let primed: HMACContext
    /// Copying the primed context costs three digest-context allocations, and freeing one a cleanse of each: more
    /// than the MAC of a short message. A context is only ever used by the call that took it.
    private let idle = IdlePool<HMACContext>(capacity: 32)

    public init(_ key: some ContiguousBytesSequence, algorithm: HashAlgorithm = .sm3) {
        primed = HMACContext(key: key, algorithm: algorithm)
    }

    public func authenticationCode(for message: UnsafeRawBufferPointer) -> Digest32 {
        authenticationCode { $0.update(message) }
    }

    public func authenticationCode(for message: some ContiguousBytesSequence) -> Digest32 {
        message.withContiguousBytes { authenticationCode(for: $0) }
    }

    /// The MAC of everything `feed` passes to the context, for messages in several pieces (header, then ciphertext).
    /// The context is lent for `feed` alone: keep no reference to it and do not finalize it.
    public func authenticationCode(_ feed: (HMACContext) -> Void) -> Digest32 {
        let context = idle.take() ?? HMACContext(copying: primed)
        feed(context)
        let code = context.finalize()
        idle.giveBack(context)
        return code
    }
}
