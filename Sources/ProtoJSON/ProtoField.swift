import CProtobufC

/// One field of a message as protobuf-c describes it, read once from its `ProtobufCFieldDescriptor`.
public struct ProtoField {
    public enum Shape: Equatable, Sendable {
        case varint(signed: Bool, bits: Int)   // int32/int64 (two's complement), uint32/uint64
        case zigzag(bits: Int)                 // sint32/sint64
        case fixed32(signed: Bool), fixed64(signed: Bool)
        case float, double
        case bool
        case enumeration
        case string, bytes
        case message
    }

    public let name: String
    public let number: UInt32
    public let shape: Shape
    public let repeated: Bool
    /// Fields of one oneof share their case slot, so its offset identifies the oneof.
    let oneofGroup: UInt32?
    /// The nested message's or the enum's descriptor.
    let nested: UnsafeRawPointer?

    init(_ c: ProtobufCFieldDescriptor) {
        name = String(cString: c.name)
        number = c.id
        repeated = c.label == PROTOBUF_C_LABEL_REPEATED
        oneofGroup = c.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0 ? c.quantifier_offset : nil
        nested = c.descriptor
        switch c.type {
        case PROTOBUF_C_TYPE_INT32: shape = .varint(signed: true, bits: 32)
        case PROTOBUF_C_TYPE_INT64: shape = .varint(signed: true, bits: 64)
        case PROTOBUF_C_TYPE_UINT32: shape = .varint(signed: false, bits: 32)
        case PROTOBUF_C_TYPE_UINT64: shape = .varint(signed: false, bits: 64)
        case PROTOBUF_C_TYPE_SINT32: shape = .zigzag(bits: 32)
        case PROTOBUF_C_TYPE_SINT64: shape = .zigzag(bits: 64)
        case PROTOBUF_C_TYPE_FIXED32: shape = .fixed32(signed: false)
        case PROTOBUF_C_TYPE_SFIXED32: shape = .fixed32(signed: true)
        case PROTOBUF_C_TYPE_FIXED64: shape = .fixed64(signed: false)
        case PROTOBUF_C_TYPE_SFIXED64: shape = .fixed64(signed: true)
        case PROTOBUF_C_TYPE_FLOAT: shape = .float
        case PROTOBUF_C_TYPE_DOUBLE: shape = .double
        case PROTOBUF_C_TYPE_BOOL: shape = .bool
        case PROTOBUF_C_TYPE_ENUM: shape = .enumeration
        case PROTOBUF_C_TYPE_STRING: shape = .string
        case PROTOBUF_C_TYPE_BYTES: shape = .bytes
        default: shape = .message
        }
    }

    var messageDescriptor: ProtoMessageShape? { shape == .message ? nested.map(ProtoMessageShape.init) : nil }

    /// The enum's values, `(name, number)` in declaration order.
    var enumValues: [(name: String, number: Int32)] {
        guard shape == .enumeration, let nested else { return [] }
        let e = nested.assumingMemoryBound(to: ProtobufCEnumDescriptor.self).pointee
        return (0..<Int(e.n_values)).map { (String(cString: e.values[$0].name), e.values[$0].value) }
    }

    /// Wire type of one (unpacked) value.
    var wireType: UInt64 {
        switch shape {
        case .varint, .zigzag, .bool, .enumeration: return 0
        case .fixed64, .double: return 1
        case .string, .bytes, .message: return 2
        case .fixed32, .float: return 5
        }
    }
}

/// A message's fields in declaration order, from its `ProtobufCMessageDescriptor`.
public struct ProtoMessageShape {
    public let fullName: String
    public let fields: [ProtoField]

    init(_ raw: UnsafeRawPointer) {
        let d = raw.assumingMemoryBound(to: ProtobufCMessageDescriptor.self).pointee
        fullName = String(cString: d.name)
        fields = (0..<Int(d.n_fields)).map { ProtoField(d.fields[$0]) }
    }

    /// A field by its proto name (`invoice_code`) or its JSON name (`invoiceCode`).
    public func field(named key: String) -> ProtoField? {
        let wanted = Self.normalized(key)
        return fields.first { Self.normalized($0.name) == wanted }
    }

    public func field(number: UInt32) -> ProtoField? { fields.first { $0.number == number } }

    private static func normalized(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "").lowercased() }
}
