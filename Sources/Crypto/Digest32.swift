/// A 32-byte hash value (SM3 or SHA-256) held inline, so hashing on the hot path allocates nothing.
public struct Digest32: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCount = 32
    // Four big-endian words: comparing them in order compares the bytes lexicographically.
    @usableFromInline var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = Digest32(w0: 0, w1: 0, w2: 0, w3: 0)

    @usableFromInline init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// Reads exactly 32 bytes; returns nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Digest32.byteCount else { return nil }
        var words = [UInt64](repeating: 0, count: 4)
        for (i, b) in bytes.enumerated() { words[i / 8] = words[i / 8] << 8 | UInt64(b) }
        self.init(w0: words[0], w1: words[1], w2: words[2], w3: words[3])
    }

    /// Reads 32 bytes from raw memory (caller guarantees the length).
    public init(unsafe raw: UnsafeRawPointer) {
        self.init(w0: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                  w1: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                  w2: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                  w3: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// Writes the 32 bytes to raw memory (caller guarantees the room).
    public func store(to raw: UnsafeMutableRawPointer) {
        raw.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// Calls `body` with the 32 bytes laid out in order, without allocating.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var tuple = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try Swift.withUnsafeBytes(of: &tuple) { try body($0) }
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// The first word alone: the bytes are already uniformly random, and the seeded `Hasher` still keeps bucket
    /// positions unpredictable to whoever chose the hashed data. A quarter of the hashing work on hot maps.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(w0)
    }

    public static func < (a: Digest32, b: Digest32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}
