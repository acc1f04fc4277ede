import COpenSSL
import Glibc

/// The ledger's hash functions. SM3 is the national default; SHA-256 is the alternative for foreign peers.
public enum HashAlgorithm: String, Sendable, CaseIterable {
    case sm3
    case sha256

    /// OpenSSL's implementation, fetched once: an implicit fetch on every call costs more than hashing a Merkle node.
    var evp: OpaquePointer { EVPDigests.shared.digest(for: self) }

    /// One-shot hash of contiguous bytes.
    public func hash(_ bytes: UnsafeRawBufferPointer) -> Digest32 {
        hash(prefix: nil, bytes)
    }

    /// H(prefix ‖ bytes) without copying `bytes` behind the prefix: Merkle leaves are H(0x00 ‖ entry).
    /// Uses this thread's own OpenSSL context: a context made and freed per call (`EVP_Digest`) costs as much as
    /// hashing a Merkle node.
    public func hash(prefix: UInt8?, _ bytes: UnsafeRawBufferPointer) -> Digest32 {
        let context = ThreadDigestContext.current
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var length: UInt32 = 0
        var ok = EVP_DigestInit_ex2(context, evp, nil)
        if var prefix {
            ok &= EVP_DigestUpdate(context, &prefix, 1)
        }
        if bytes.count > 0 { ok &= EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) }
        ok &= withUnsafeMutableBytes(of: &out) {
            EVP_DigestFinal_ex(context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
        }
        precondition(ok == 1 && length == 32, "\(rawValue) digest failed: \(CryptoError.drainOpenSSLErrors())")
        return withUnsafeBytes(of: &out) { Digest32(unsafe: $0.baseAddress!) }
    }

    public func hash(_ bytes: some ContiguousBytesSequence) -> Digest32 {
        bytes.withContiguousBytes { hash($0) }
    }
}

/// Byte containers that can lend a contiguous view without copying.
public protocol ContiguousBytesSequence {
    func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytesSequence where Element == UInt8 {
    public func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension ArraySlice: ContiguousBytesSequence where Element == UInt8 {
    public func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension String: ContiguousBytesSequence {
    public func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

/// One EVP_MD_CTX per thread, freed when the thread exits.
private enum ThreadDigestContext {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { context in
            if let context { EVP_MD_CTX_free(OpaquePointer(context)) }
        }
        precondition(created == 0, "pthread_key_create failed")
        return key
    }()

    static var current: OpaquePointer {
        if let existing = pthread_getspecific(key) { return OpaquePointer(existing) }
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        pthread_setspecific(key, UnsafeRawPointer(context))
        return context
    }
}

/// Fetched EVP_MD handles live for the process; OpenSSL makes them safe to share between threads.
private final class EVPDigests: @unchecked Sendable {
    static let shared = EVPDigests()
    private let sm3: OpaquePointer
    private let sha256: OpaquePointer

    private init() {
        guard let sm3 = EVP_MD_fetch(nil, "SM3", nil), let sha256 = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("OpenSSL lacks SM3 or SHA-256: \(CryptoError.drainOpenSSLErrors())")
        }
        self.sm3 = sm3
        self.sha256 = sha256
    }

    func digest(for algorithm: HashAlgorithm) -> OpaquePointer {
        switch algorithm {
        case .sm3: sm3
        case .sha256: sha256
        }
    }
}

/// Incremental hashing with one reusable OpenSSL context: for streams, and for many small hashes on one thread.
/// Not thread-safe; give each thread its own.
public final class IncrementalHasher {
    public let algorithm: HashAlgorithm
    private let context: OpaquePointer

    public init(_ algorithm: HashAlgorithm = .sm3) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    public func reset() {
        precondition(EVP_DigestInit_ex2(context, algorithm.evp, nil) == 1, "EVP_DigestInit_ex2 failed")
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "EVP_DigestUpdate failed")
    }

    public func update(_ bytes: some ContiguousBytesSequence) {
        bytes.withContiguousBytes { update($0) }
    }

    public func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
    }

    public func update(_ digest: Digest32) {
        digest.withUnsafeBytes { update($0) }
    }

    /// Finishes the hash and readies the hasher for the next message.
    public func finalize() -> Digest32 {
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var length: UInt32 = 0
        let ok = withUnsafeMutableBytes(of: &out) {
            EVP_DigestFinal_ex(context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
        }
        precondition(ok == 1 && length == 32, "EVP_DigestFinal_ex failed")
        reset()
        return withUnsafeBytes(of: &out) { Digest32(unsafe: $0.baseAddress!) }
    }
}
