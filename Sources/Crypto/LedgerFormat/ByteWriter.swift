/// Appends big-endian integers and length-prefixed fields: the one encoder behind every signed or hashed format.
public struct ByteWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    public mutating func raw(_ v: some Sequence<UInt8>) { bytes.append(contentsOf: v) }
    public mutating func raw(_ v: UnsafeRawBufferPointer) { bytes.append(contentsOf: v) }
    public mutating func digest(_ d: Digest32) { d.withUnsafeBytes { bytes.append(contentsOf: $0) } }

    /// A field of at most 255 bytes, prefixed by its length (callers check the limit first).
    public mutating func shortField(_ v: String) {
        let count = v.utf8.count
        precondition(count <= 255, "short field over 255 bytes")
        u8(UInt8(count))
        raw(v.utf8)
    }

    public mutating func longField(_ v: some Collection<UInt8>) {
        u32(UInt32(v.count))
        raw(v)
    }
}

/// Reads what `ByteWriter` wrote, refusing to run past the end: every length comes from untrusted bytes.
public struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func u8() throws(FormatError) -> UInt8 { try fixed(1) { $0.load(as: UInt8.self) } }
    public mutating func u16() throws(FormatError) -> UInt16 { try fixed(2) { UInt16(bigEndian: $0.loadUnaligned(as: UInt16.self)) } }
    public mutating func u32() throws(FormatError) -> UInt32 { try fixed(4) { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) } }
    public mutating func u64() throws(FormatError) -> UInt64 { try fixed(8) { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) } }
    public mutating func digest() throws(FormatError) -> Digest32 { try fixed(32) { Digest32(unsafe: $0.baseAddress!) } }

    public mutating func raw(_ count: Int) throws(FormatError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else { throw FormatError("needs \(count) bytes at offset \(offset), has \(remaining)") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    public mutating func rest() -> UnsafeRawBufferPointer {
        defer { offset = bytes.count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset...])
    }

    public mutating func shortField() throws(FormatError) -> String {
        let count = Int(try u8())
        return String(decoding: try raw(count), as: UTF8.self)
    }

    public mutating func longField(limit: Int) throws(FormatError) -> [UInt8] {
        let count = Int(try u32())
        guard count <= limit else { throw FormatError("field of \(count) bytes over its limit of \(limit)") }
        return Array(try raw(count))
    }

    private mutating func fixed<T>(_ count: Int, _ load: (UnsafeRawBufferPointer) -> T) throws(FormatError) -> T {
        load(try raw(count))
    }
}

/// Bytes that do not parse as the format they claim to be.
public struct FormatError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
