/// Bytes with one range sealed (`SM4SealingKey`) and the rest left in clear: how a store keeps a record whose
/// private part is one range (a domain payload's PII section), so the public part stays readable and only the
/// small private part pays for encryption.
///
///     u8  marker (0x81)               a plain ledger entry or domain payload starts with its format byte 1
///     u32 start                       where the sealed range began in the plain bytes
///     u32 count                       its length in the plain bytes
///     bytes[..<start] ‖ sealed box of bytes[start..<start+count] ‖ bytes[(start+count)...]
///
/// The box's associated data is the caller's (which entry or record the box belongs to) followed by the marker,
/// start and count, so a box opens only in its place.
public enum RangeSealedBytes {
    public static let marker: UInt8 = 0x81
    public static let headerByteCount = 9

    /// Whether stored bytes are in this form (otherwise they are the plain bytes themselves).
    public static func isSealed(_ stored: UnsafeRawBufferPointer) -> Bool {
        stored.first == marker
    }

    static func header(start: Int, count: Int) -> [UInt8] {
        var w = ByteWriter(capacity: headerByteCount)
        w.u8(marker)
        w.u32(UInt32(start))
        w.u32(UInt32(count))
        return w.bytes
    }

    /// `range` of `bytes` sealed under `key` with `counterBlock`; the caller chooses it (see `NodeDataKey`).
    static func seal(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, key: SM4SealingKey, counterBlock: [UInt8],
                     associatedData: [UInt8]) -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "the sealed range lies outside the bytes")
        let header = header(start: range.lowerBound, count: range.count)
        let box = key.seal(Array(bytes[range]), associatedData: associatedData + header,
                           counterBlock: counterBlock)
        var out = header
        out.reserveCapacity(header.count + bytes.count + SM4SealingKey.overhead)
        out += UnsafeRawBufferPointer(rebasing: bytes[..<range.lowerBound])
        out += box
        out += UnsafeRawBufferPointer(rebasing: bytes[range.upperBound...])
        return out
    }

    /// The plain bytes again; throws `CryptoError` for a malformed form or a box that does not authenticate.
    static func open(_ stored: UnsafeRawBufferPointer, key: SM4SealingKey, associatedData: [UInt8]) throws -> [UInt8] {
        var r = ByteReader(stored)
        guard (try? r.u8()) == marker, let start32 = try? r.u32(), let count32 = try? r.u32() else {
            throw CryptoError("sealed range", detail: "not a sealed-range record")
        }
        let start = Int(start32), count = Int(count32)
        let boxStart = headerByteCount + start
        let boxEnd = boxStart + count + SM4SealingKey.overhead
        guard boxEnd <= stored.count else {
            throw CryptoError("sealed range", detail: "the header names \(start)+\(count) bytes, beyond the \(stored.count) stored")
        }
        let plain = try key.open(Array(stored[boxStart..<boxEnd]),
                                 associatedData: associatedData + Array(stored[..<headerByteCount]))
        var out: [UInt8] = []
        out.reserveCapacity(stored.count - headerByteCount - SM4SealingKey.overhead)
        out += UnsafeRawBufferPointer(rebasing: stored[headerByteCount..<boxStart])
        out += plain
        out += UnsafeRawBufferPointer(rebasing: stored[boxEnd...])
        return out
    }
}
