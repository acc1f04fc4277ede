import Glibc
import YibaoCrypto

/// The field encodings every domain payload uses: big-endian fixed-width integers, u32-length-prefixed UTF-8 and
/// bytes. One encoding per value, so the same value always yields the same bytes.
extension ByteWriter {
    /// u32 byte count, then the UTF-8 bytes. A u32 so that encoding never traps, even on a value validation
    /// would refuse; the rules bound real fields far lower.
    mutating func text(_ value: String) {
        u32(UInt32(value.utf8.count))
        raw(value.utf8)
    }

    mutating func blob(_ value: [UInt8]) {
        u32(UInt32(value.count))
        raw(value)
    }

    mutating func fen(_ value: Fen) { u64(UInt64(bitPattern: value)) }
    mutating func flag(_ value: Bool) { u8(value ? 1 : 0) }
    mutating func count(_ value: Int) { u32(UInt32(value)) }
}

/// The matching reads, strict enough that bytes decode only if re-encoding the value gives the same bytes:
/// UTF-8 must be valid (no silent replacement), flags are 0 or 1, enum bytes must name a case.
extension ByteReader {
    mutating func text(_ field: String) throws(FormatError) -> String {
        let length = Int(try u32())
        guard length <= remaining else { throw FormatError("\(field): \(length) bytes claimed, \(remaining) left") }
        let bytes = try raw(length)
        // `String(decoding:)` takes the standard library's fast UTF-8 path (the generic `String(validating:as:)`
        // cost a third more on every read of a stored record); it repairs invalid input with U+FFFD, so the bytes
        // were valid exactly when the result reads back as the same bytes. Compared with memcmp: the generic
        // `elementsEqual` walked them a byte at a time, 2 % of a GetInvoice.
        var value = String(decoding: bytes, as: UTF8.self)
        let unchanged = value.withUTF8 { utf8 in
            utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        guard unchanged else { throw FormatError("\(field): not valid UTF-8") }
        return value
    }

    mutating func blob(_ field: String) throws(FormatError) -> [UInt8] {
        let length = Int(try u32())
        guard length <= remaining else { throw FormatError("\(field): \(length) bytes claimed, \(remaining) left") }
        return Array(try raw(length))
    }

    mutating func fen() throws(FormatError) -> Fen { Fen(bitPattern: try u64()) }

    mutating func flag(_ field: String) throws(FormatError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let other: throw FormatError("\(field): flag byte \(other) is neither 0 nor 1")
        }
    }

    /// A count of records that follow, each at least `minimumBytes` long: checked against both the limit and
    /// the bytes left before anything is allocated.
    mutating func count(_ field: String, limit: Int, minimumBytes: Int) throws(FormatError) -> Int {
        let value = Int(try u32())
        guard value <= limit else { throw FormatError("\(field): \(value) entries over the limit of \(limit)") }
        guard value * minimumBytes <= remaining else {
            throw FormatError("\(field): \(value) entries need at least \(value * minimumBytes) bytes, \(remaining) left")
        }
        return value
    }

    mutating func enumeration<E: RawRepresentable>(_ field: String, _: E.Type) throws(FormatError) -> E where E.RawValue == UInt8 {
        let raw = try u8()
        guard let value = E(rawValue: raw) else { throw FormatError("\(field): unknown value \(raw)") }
        return value
    }

}
