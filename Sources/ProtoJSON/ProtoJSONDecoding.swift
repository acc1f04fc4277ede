import Foundation
import YibaoCrypto

/// Protobuf wire bytes to JSON, driven by the message's protobuf-c descriptor: every field in declaration order
/// under its proto name, defaults included (so a script sees `"paper_exchanged": false`, not a missing key),
/// except message fields and oneof members that are absent. 64-bit integers are JSON numbers, bytes base64,
/// enums their full names. The readable style (for tables) writes bytes as hex and enums without their prefix.
enum ProtoJSONDecoding {
    enum Style {
        /// The proto3 JSON mapping: bytes base64, enums by full name.
        case json
        /// For people: bytes hex (how hashes are quoted everywhere), enums by their short name (`LOCKED`).
        case readable
    }

    static func decode(_ bytes: [UInt8], as shape: ProtoMessageShape, style: Style = .json) throws(ProtoJSONError) -> JSONValue {
        try decode(bytes, range: 0..<bytes.count, as: shape, style: style, depth: 0)
    }

    private static func decode(_ bytes: [UInt8], range: Range<Int>, as shape: ProtoMessageShape, style: Style, depth: Int)
        throws(ProtoJSONError) -> JSONValue {
        guard depth < ProtoJSONEncoding.maxDepth else { throw ProtoJSONError(path: shape.fullName, problem: "nested too deep") }
        var values: [UInt32: [JSONValue]] = [:]
        var reader = ProtoWire.Reader(bytes, from: range.lowerBound, to: range.upperBound)
        while !reader.isAtEnd {
            let tag = try reader.varint()
            let number = UInt32(truncatingIfNeeded: tag >> 3), wireType = tag & 7
            guard let field = shape.field(number: number) else {
                try reader.skip(wireType: wireType)  // a newer server's field: not ours to show
                continue
            }
            if field.repeated, wireType == 2, field.wireType != 2 {
                // packed scalars: one length-delimited run of values
                let run = try reader.lengthDelimited()
                var packed = ProtoWire.Reader(bytes, from: run.lowerBound, to: run.upperBound)
                while !packed.isAtEnd { values[number, default: []].append(try scalar(&packed, field: field, style: style)) }
                continue
            }
            guard wireType == field.wireType else {
                throw ProtoJSONError(path: "\(shape.fullName).\(field.name)", problem: "wire type \(wireType), expected \(field.wireType)")
            }
            let value: JSONValue
            switch field.shape {
            case .string:
                value = .string(String(decoding: bytes[try reader.lengthDelimited()], as: UTF8.self))
            case .bytes:
                let raw = bytes[try reader.lengthDelimited()]
                value = .string(style == .json ? Data(raw).base64EncodedString() : Hex.encode(raw))
            case .message:
                guard let nested = field.messageDescriptor else { throw ProtoJSONError(path: field.name, problem: "no descriptor") }
                value = try decode(bytes, range: try reader.lengthDelimited(), as: nested, style: style, depth: depth + 1)
            default:
                value = try scalar(&reader, field: field, style: style)
            }
            if field.repeated { values[number, default: []].append(value) } else { values[number] = [value] }
        }
        var pairs: [(String, JSONValue)] = []
        for field in shape.fields {
            if let found = values[field.number] {
                pairs.append((field.name, field.repeated ? .array(found) : found[found.count - 1]))
            } else if field.repeated {
                pairs.append((field.name, .array([])))
            } else if field.oneofGroup == nil, let empty = defaultValue(of: field, style: style) {
                pairs.append((field.name, empty))
            }
        }
        return .object(pairs)
    }

    private static func scalar(_ reader: inout ProtoWire.Reader, field: ProtoField, style: Style) throws(ProtoJSONError) -> JSONValue {
        switch field.shape {
        case .varint(let signed, let bits):
            let raw = try reader.varint()
            if !signed { return .unsigned(bits == 32 ? UInt64(UInt32(truncatingIfNeeded: raw)) : raw) }
            return .integer(bits == 32 ? Int64(Int32(truncatingIfNeeded: raw)) : Int64(bitPattern: raw))
        case .zigzag(let bits):
            let raw = try reader.varint()
            let decoded = Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
            return .integer(bits == 32 ? Int64(Int32(truncatingIfNeeded: decoded)) : decoded)
        case .fixed32(let signed):
            let raw = try reader.littleEndian(UInt32.self)
            return signed ? .integer(Int64(Int32(bitPattern: raw))) : .unsigned(UInt64(raw))
        case .fixed64(let signed):
            let raw = try reader.littleEndian(UInt64.self)
            return signed ? .integer(Int64(bitPattern: raw)) : .unsigned(raw)
        case .float: return .double(Double(Float(bitPattern: try reader.littleEndian(UInt32.self))))
        case .double: return .double(Double(bitPattern: try reader.littleEndian(UInt64.self)))
        case .bool: return .bool(try reader.varint() != 0)
        case .enumeration:
            let number = Int32(truncatingIfNeeded: try reader.varint())
            return enumName(number, of: field, style: style)
        case .string, .bytes, .message:
            throw ProtoJSONError(path: field.name, problem: "not a scalar")
        }
    }

    /// proto3's default for a field that was not on the wire; nil for message fields (absent means absent).
    private static func defaultValue(of field: ProtoField, style: Style) -> JSONValue? {
        switch field.shape {
        case .varint(let signed, _): return signed ? .integer(0) : .unsigned(0)
        case .zigzag: return .integer(0)
        case .fixed32(let signed), .fixed64(let signed): return signed ? .integer(0) : .unsigned(0)
        case .float, .double: return .double(0)
        case .bool: return .bool(false)
        case .enumeration: return enumName(0, of: field, style: style)
        case .string, .bytes: return .string("")
        case .message: return nil
        }
    }

    /// `INVOICE_STATUS_LOCKED`, or `LOCKED` in the readable style (the prefix every value of the enum shares).
    private static func enumName(_ number: Int32, of field: ProtoField, style: Style) -> JSONValue {
        let values = field.enumValues
        guard let name = values.first(where: { $0.number == number })?.name else { return .integer(Int64(number)) }
        guard style == .readable, values.count > 1 else { return .string(name) }
        var prefix = values[0].name
        for value in values.dropFirst() { while !value.name.hasPrefix(prefix) { prefix.removeLast() } }
        if let underscore = prefix.lastIndex(of: "_") { prefix = String(prefix[...underscore]) } else { prefix = "" }
        return .string(String(name.dropFirst(prefix.count)))
    }
}
