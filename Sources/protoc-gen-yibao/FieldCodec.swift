/// How one proto value type is spelled in Swift and moved between a Swift value and protobuf-c's C representation.
/// Expressions, not statements: the same codec serves singular fields, repeated elements, map entries and oneofs.
struct ValueCodec {
    let swiftType: String
    let defaultValue: String
    /// Swift expression turning the C value `cValue` into the Swift value.
    let decode: (_ cValue: String) -> String
    /// Swift expression turning the Swift value `value` into a freshly allocated C value (freed by free_unpacked).
    let encode: (_ value: String) -> String
    /// Non-nil for message values: the registry entry, needed to build map entries and optional fields.
    let message: TypeRegistry.Entry?

    static func make(type: ProtoFieldType, typeName: String, registry: TypeRegistry) throws -> ValueCodec {
        func plain(_ swiftType: String, _ zero: String = "0") -> ValueCodec {
            ValueCodec(swiftType: swiftType, defaultValue: zero, decode: { $0 }, encode: { $0 }, message: nil)
        }
        switch type {
        case .int32, .sint32, .sfixed32: return plain("Int32")
        case .int64, .sint64, .sfixed64: return plain("Int64")
        case .uint32, .fixed32: return plain("UInt32")
        case .uint64, .fixed64: return plain("UInt64")
        case .float: return plain("Float")
        case .double: return plain("Double")
        case .bool:
            // protobuf_c_boolean is a C int.
            return ValueCodec(swiftType: "Bool", defaultValue: "false", decode: { "(\($0) != 0)" },
                              encode: { "(\($0) ? 1 : 0)" }, message: nil)
        case .string:
            return ValueCodec(swiftType: "String", defaultValue: "\"\"", decode: { "ProtoC.string(\($0))" },
                              encode: { "ProtoC.copyString(\($0))" }, message: nil)
        case .bytes:
            return ValueCodec(swiftType: "[UInt8]", defaultValue: "[]", decode: { "ProtoC.bytes(\($0))" },
                              encode: { "ProtoC.copyBytes(\($0))" }, message: nil)
        case .enum:
            let entry = try registry.lookup(typeName)
            guard let enumeration = entry.enumeration, let first = enumeration.values.first else {
                throw GeneratorError("\(typeName) is not an enum with values")
            }
            // The C enum's raw type is unsigned unless a value is negative: convert through the bit pattern.
            return ValueCodec(
                swiftType: entry.swiftName,
                // proto3: the first value is the default (and is 0).
                defaultValue: ".\(SwiftNaming.enumCaseName(first.name, enumName: enumeration.name))",
                decode: { "\(entry.swiftName)(rawValue: Int32(truncatingIfNeeded: \($0).rawValue))" },
                encode: { ".init(rawValue: .init(truncatingIfNeeded: \($0).rawValue))" }, message: nil)
        case .message:
            let entry = try registry.lookup(typeName)
            guard entry.message != nil else { throw GeneratorError("\(typeName) is not a message") }
            return ValueCodec(
                swiftType: entry.swiftName, defaultValue: "\(entry.swiftName)()",
                decode: { "ProtoC.message(\($0), as: \(entry.swiftName).self)" },
                encode: { "\($0).allocateCMessage()" }, message: entry)
        case .group:
            throw GeneratorError("groups are not supported")
        }
    }
}
