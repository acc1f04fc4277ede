import Foundation
import YibaoCrypto

/// JSON (proto3 JSON mapping: field names in snake_case or lowerCamelCase, enums by name or number, 64-bit integers
/// as numbers or strings, bytes as base64 or `hex:…`) to protobuf wire bytes, driven by the message's protobuf-c
/// descriptor. The generated Swift type then decodes the bytes, so every message check is the generated one.
enum ProtoJSONEncoding {
    /// Deeper nesting than any Yibao message has: a guard against hostile input, not a real limit.
    static let maxDepth = 32

    static func encode(_ json: JSONValue, as shape: ProtoMessageShape, path: String = "", depth: Int = 0)
        throws(ProtoJSONError) -> [UInt8] {
        guard depth < maxDepth else { throw ProtoJSONError(path: path, problem: "nested more than \(maxDepth) levels") }
        guard case .object(let pairs) = json else {
            throw ProtoJSONError(path: path, problem: "expected an object for \(shape.fullName), got \(kind(of: json))")
        }
        var out: [UInt8] = []
        var oneofs: [UInt32: String] = [:]
        for (key, value) in pairs {
            let at = path.isEmpty ? key : "\(path).\(key)"
            guard let field = shape.field(named: key) else {
                throw ProtoJSONError(path: at, problem: "\(shape.fullName) has no field '\(key)'; its fields: "
                                     + shape.fields.map(\.name).joined(separator: ", "))
            }
            if value == .null { continue }
            if let group = field.oneofGroup {
                if let other = oneofs[group] {
                    throw ProtoJSONError(path: at, problem: "'\(field.name)' and '\(other)' are alternatives (oneof); give one")
                }
                oneofs[group] = field.name
            }
            if field.repeated {
                guard case .array(let items) = value else {
                    throw ProtoJSONError(path: at, problem: "expected an array, got \(kind(of: value))")
                }
                for (i, item) in items.enumerated() {
                    try appendValue(item, of: field, to: &out, path: "\(at)[\(i)]", depth: depth)
                }
            } else {
                try appendValue(value, of: field, to: &out, path: at, depth: depth)
            }
        }
        return out
    }

    private static func appendValue(_ value: JSONValue, of field: ProtoField, to out: inout [UInt8], path: String,
                                    depth: Int) throws(ProtoJSONError) {
        ProtoWire.appendVarint(UInt64(field.number) << 3 | field.wireType, to: &out)
        switch field.shape {
        case .varint(let signed, let bits):
            let number = try integer(value, signed: signed, bits: bits, path: path)
            ProtoWire.appendVarint(number, to: &out)
        case .zigzag(let bits):
            let number = Int64(bitPattern: try integer(value, signed: true, bits: bits, path: path))
            ProtoWire.appendVarint(UInt64(bitPattern: (number << 1) ^ (number >> 63)), to: &out)
        case .fixed32(let signed):
            ProtoWire.appendLittleEndian(UInt32(truncatingIfNeeded: try integer(value, signed: signed, bits: 32, path: path)), to: &out)
        case .fixed64(let signed):
            ProtoWire.appendLittleEndian(try integer(value, signed: signed, bits: 64, path: path), to: &out)
        case .float:
            ProtoWire.appendLittleEndian(Float(try floating(value, path: path)).bitPattern, to: &out)
        case .double:
            ProtoWire.appendLittleEndian(try floating(value, path: path).bitPattern, to: &out)
        case .bool:
            guard case .bool(let b) = value else { throw ProtoJSONError(path: path, problem: "expected true or false, got \(kind(of: value))") }
            ProtoWire.appendVarint(b ? 1 : 0, to: &out)
        case .enumeration:
            ProtoWire.appendVarint(UInt64(bitPattern: Int64(try enumNumber(value, of: field, path: path))), to: &out)
        case .string:
            guard case .string(let s) = value else { throw ProtoJSONError(path: path, problem: "expected a string, got \(kind(of: value))") }
            ProtoWire.appendLengthDelimited(Array(s.utf8), to: &out)
        case .bytes:
            ProtoWire.appendLengthDelimited(try bytes(value, path: path), to: &out)
        case .message:
            guard let nested = field.messageDescriptor else { throw ProtoJSONError(path: path, problem: "no descriptor") }
            ProtoWire.appendLengthDelimited(try encode(value, as: nested, path: path, depth: depth + 1), to: &out)
        }
    }

    /// The value's two's-complement bits; refuses fractions and values outside the field's range.
    private static func integer(_ value: JSONValue, signed: Bool, bits: Int, path: String) throws(ProtoJSONError) -> UInt64 {
        let text: String
        switch value {
        case .integer(let i): text = String(i)
        case .unsigned(let u): text = String(u)
        case .string(let s): text = s.trimmingCharacters(in: .whitespaces)
        default: throw ProtoJSONError(path: path, problem: "expected a whole number, got \(kind(of: value))")
        }
        if signed {
            let range = bits == 32 ? Int64(Int32.min)...Int64(Int32.max) : Int64.min...Int64.max
            guard let number = Int64(text), range.contains(number) else {
                throw ProtoJSONError(path: path, problem: "'\(text)' is not a whole number in \(range) (int\(bits); money is in fen)")
            }
            return UInt64(bitPattern: number)
        }
        let limit = bits == 32 ? UInt64(UInt32.max) : UInt64.max
        guard let number = UInt64(text), number <= limit else {
            throw ProtoJSONError(path: path, problem: "'\(text)' is not a whole number from 0 to \(limit) (uint\(bits))")
        }
        return number
    }

    private static func floating(_ value: JSONValue, path: String) throws(ProtoJSONError) -> Double {
        switch value {
        case .double(let d): return d
        case .integer(let i): return Double(i)
        case .unsigned(let u): return Double(u)
        default: throw ProtoJSONError(path: path, problem: "expected a number, got \(kind(of: value))")
        }
    }

    /// By full name (`INVOICE_KIND_OUTPATIENT`), by the name without the enum's prefix (`OUTPATIENT`), or by number.
    private static func enumNumber(_ value: JSONValue, of field: ProtoField, path: String) throws(ProtoJSONError) -> Int32 {
        let values = field.enumValues
        switch value {
        case .integer(let i):
            guard let match = values.first(where: { Int64($0.number) == i }) else {
                throw ProtoJSONError(path: path, problem: "\(i) is not a value of this enum")
            }
            return match.number
        case .string(let s):
            let wanted = s.uppercased()
            if let match = values.first(where: { $0.name == wanted || $0.name.hasSuffix("_" + wanted) }) { return match.number }
            throw ProtoJSONError(path: path, problem: "'\(s)' is not one of " + values.map(\.name).joined(separator: ", "))
        default:
            throw ProtoJSONError(path: path, problem: "expected an enum name, got \(kind(of: value))")
        }
    }

    /// Base64 (the proto3 JSON mapping), or hex after a `hex:` prefix (how the CLI's tables show hashes).
    private static func bytes(_ value: JSONValue, path: String) throws(ProtoJSONError) -> [UInt8] {
        guard case .string(let s) = value else { throw ProtoJSONError(path: path, problem: "expected a base64 string, got \(kind(of: value))") }
        if s.hasPrefix("hex:") {
            guard let decoded = Hex.decode(String(s.dropFirst(4))) else {
                throw ProtoJSONError(path: path, problem: "'\(s.prefix(80))' is not hex")
            }
            return decoded
        }
        guard let data = Data(base64Encoded: s) else {
            throw ProtoJSONError(path: path, problem: "'\(s.prefix(80))' is not base64 (write hex as \"hex:…\")")
        }
        return [UInt8](data)
    }

    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .unsigned, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
