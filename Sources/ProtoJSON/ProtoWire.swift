/// The protobuf wire format's primitives (varints, fixed-width little endian, length-delimited), for the JSON
/// mapping. Reading is bounds-checked: the bytes come from a server.
enum ProtoWire {
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func appendLengthDelimited(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    struct Reader {
        let bytes: [UInt8]
        var offset: Int
        let end: Int

        init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
            self.bytes = bytes
            offset = start
            self.end = end ?? bytes.count
        }

        var isAtEnd: Bool { offset >= end }

        mutating func varint() throws(ProtoJSONError) -> UInt64 {
            var result: UInt64 = 0
            for shift in stride(from: 0, to: 70, by: 7) {
                guard offset < end else { throw ProtoJSONError(path: "", problem: "truncated varint") }
                let byte = bytes[offset]
                offset += 1
                if shift == 63, byte > 1 { throw ProtoJSONError(path: "", problem: "varint overflows 64 bits") }
                result |= UInt64(byte & 0x7f) << UInt64(shift)
                if byte < 0x80 { return result }
            }
            throw ProtoJSONError(path: "", problem: "varint longer than 10 bytes")
        }

        mutating func littleEndian<T: FixedWidthInteger>(_: T.Type) throws(ProtoJSONError) -> T {
            let size = MemoryLayout<T>.size
            guard end - offset >= size else { throw ProtoJSONError(path: "", problem: "truncated fixed-width value") }
            var value: T = 0
            for i in 0..<size { value |= T(bytes[offset + i]) << T(8 * i) }
            offset += size
            return value
        }

        /// The bounds of a length-delimited value; the reader moves past it.
        mutating func lengthDelimited() throws(ProtoJSONError) -> Range<Int> {
            let length = try varint()
            guard length <= UInt64(end - offset) else { throw ProtoJSONError(path: "", problem: "length runs past the message") }
            let range = offset..<(offset + Int(length))
            offset = range.upperBound
            return range
        }

        mutating func skip(wireType: UInt64) throws(ProtoJSONError) {
            switch wireType {
            case 0: _ = try varint()
            case 1: _ = try littleEndian(UInt64.self)
            case 2: _ = try lengthDelimited()
            case 5: _ = try littleEndian(UInt32.self)
            default: throw ProtoJSONError(path: "", problem: "wire type \(wireType) is not supported")
            }
        }
    }
}
