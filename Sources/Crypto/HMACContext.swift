import COpenSSL

/// Incremental HMAC with one reusable OpenSSL context, keyed once: the cheapest form for many MACs on one thread
/// (OpenSSL keeps the padded-key digest states, so each new message skips the key schedule).
/// Not thread-safe; give each thread its own, or share an `HMACKey`.
public final class HMACContext {
    public let algorithm: HashAlgorithm
    let context: OpaquePointer

    public init(key: some ContiguousBytesSequence, algorithm: HashAlgorithm = .sm3) {
        self.algorithm = algorithm
        guard let context = EVP_MAC_CTX_new(EVPMACs.shared.hmac) else {
            fatalError("EVP_MAC_CTX_new(HMAC) failed: \(CryptoError.drainOpenSSLErrors())")
        }
        self.context = context
        let ok = key.withContiguousBytes { key in
            algorithm.withHMACParameters { parameters in
                // A nil key means "keep the old key" to EVP_MAC_init, so an empty key needs a real pointer.
                withUnsafeBytes(of: UInt8(0)) { placeholder in
                    let bytes = (key.baseAddress ?? placeholder.baseAddress!).assumingMemoryBound(to: UInt8.self)
                    return EVP_MAC_init(context, bytes, key.count, parameters)
                }
            }
        }
        precondition(ok == 1, "EVP_MAC_init(HMAC-\(algorithm.rawValue)) failed: \(CryptoError.drainOpenSSLErrors())")
    }

    /// Copies a primed context; `HMACKey` uses it when none of its idle contexts is free.
    init(copying other: HMACContext) {
        algorithm = other.algorithm
        guard let context = EVP_MAC_CTX_dup(other.context) else {
            fatalError("EVP_MAC_CTX_dup failed: \(CryptoError.drainOpenSSLErrors())")
        }
        self.context = context
    }

    deinit { EVP_MAC_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        let ok = EVP_MAC_update(context, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        precondition(ok == 1, "EVP_MAC_update failed: \(CryptoError.drainOpenSSLErrors())")
    }

    public func update(_ bytes: some ContiguousBytesSequence) {
        bytes.withContiguousBytes { update($0) }
    }

    /// Finishes the MAC and readies the context for the next message under the same key.
    public func finalize() -> Digest32 {
        let code = finalizeWithoutReset()
        // Re-initialising with no key restarts from the saved padded-key states.
        precondition(EVP_MAC_init(context, nil, 0, nil) == 1, "EVP_MAC_init(reset) failed: \(CryptoError.drainOpenSSLErrors())")
        return code
    }

    /// For throw-away copies, which need no reset.
    func finalizeWithoutReset() -> Digest32 {
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var length = 0
        let ok = withUnsafeMutableBytes(of: &out) {
            EVP_MAC_final(context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, $0.count)
        }
        precondition(ok == 1 && length == Digest32.byteCount, "EVP_MAC_final failed: \(CryptoError.drainOpenSSLErrors())")
        return withUnsafeBytes(of: &out) { Digest32(unsafe: $0.baseAddress!) }
    }
}

extension HashAlgorithm {
    /// The digest name OpenSSL's HMAC expects, passed as an OSSL_PARAM that must not outlive `body`.
    func withHMACParameters<R>(_ body: (UnsafePointer<OSSL_PARAM>) -> R) -> R {
        let name = switch self {
        case .sm3: "SM3"
        case .sha256: "SHA256"
        }
        return OSSL_MAC_PARAM_DIGEST.withCString { key in
            name.withCString { value in
                let parameters = [OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: value), 0),
                                  OSSL_PARAM_construct_end()]
                return parameters.withUnsafeBufferPointer { body($0.baseAddress!) }
            }
        }
    }
}

/// The HMAC implementation, fetched once: an implicit fetch per call would cost more than a short MAC.
final class EVPMACs: @unchecked Sendable {
    static let shared = EVPMACs()
    let hmac: OpaquePointer

    private init() {
        guard let hmac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            fatalError("OpenSSL lacks HMAC: \(CryptoError.drainOpenSSLErrors())")
        }
        // `finalize` resets a context with EVP_MAC_init(ctx, NULL, 0, NULL), which keeps the key but only restarts
        // the MAC from OpenSSL 3.0.3 on (before, later MACs came out wrong without an error).
        precondition(OpenSSL_version_num() >= 0x3000_0030,
                     "OpenSSL 3.0.3 or later is needed, this is \(String(cString: OpenSSL_version(OPENSSL_VERSION)))")
        self.hmac = hmac
    }
}
