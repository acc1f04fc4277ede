import COpenSSL

/// Cryptographically strong random bytes from OpenSSL's DRBG, for keys and nonces.
public enum SecureRandom {
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes(count:) needs a non-negative count")
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    /// Fills `buffer` in place. A failing DRBG leaves no safe way to go on, so it stops the process.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var rest = buffer
        while rest.count > 0 {
            // RAND_bytes takes an Int32 length; huge buffers go in slices.
            let slice = min(rest.count, 1 << 30)
            let ok = RAND_bytes(rest.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(slice))
            precondition(ok == 1, "RAND_bytes failed: \(CryptoError.drainOpenSSLErrors())")
            rest = UnsafeMutableRawBufferPointer(rebasing: rest[slice...])
        }
    }
}
