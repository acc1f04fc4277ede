/// One-shot HMAC (RFC 2104) with SM3 by default, SHA-256 for foreign peers.
/// For many MACs under one key, prepare an `HMACKey` (shared) or `HMACContext` (per thread) instead.
public enum HMAC {
    public static func authenticationCode(for message: some ContiguousBytesSequence,
                                          key: some ContiguousBytesSequence,
                                          algorithm: HashAlgorithm = .sm3) -> Digest32 {
        let context = HMACContext(key: key, algorithm: algorithm)
        context.update(message)
        return context.finalizeWithoutReset()
    }
}
