/// The parts of a FileDescriptorProto the generator uses, copied out of protobuf-c's C structs into Swift values.
struct ProtoFile {
    var name: String          // "yibao/test/v1/echo.proto"
    var package: String       // "yibao.test.v1"
    var syntax: String
    var messages: [ProtoMessageDecl]
    var enums: [ProtoEnumDecl]
    var services: [ProtoServiceDecl] = []
}

struct ProtoServiceDecl {
    var fullName: String      // "yibao.test.v1.Echo"
    var name: String
    var methods: [ProtoMethodDecl]
}

struct ProtoMethodDecl {
    var name: String          // "Unary"
    var inputType: String     // full names, no leading dot
    var outputType: String
    var clientStreaming: Bool
    var serverStreaming: Bool
    /// `option idempotency_level = IDEMPOTENT` or `NO_SIDE_EFFECTS`: calls may be retried.
    var idempotent: Bool = false
}

struct ProtoMessageDecl {
    var fullName: String      // "yibao.test.v1.EchoRequest.Nested", no leading dot
    var name: String
    var fields: [ProtoFieldDecl]
    var oneofNames: [String]
    var nestedMessages: [ProtoMessageDecl]
    var nestedEnums: [ProtoEnumDecl]
    var isMapEntry: Bool
}

struct ProtoFieldDecl {
    var name: String
    var number: Int32
    var isRepeated: Bool
    var type: ProtoFieldType
    var typeName: String      // full name of a message or enum type, no leading dot; "" for scalars
    var oneofIndex: Int?
}

struct ProtoEnumDecl {
    var fullName: String
    var name: String
    var values: [(name: String, number: Int32)]
}

/// FieldDescriptorProto.Type numbers (descriptor.proto).
enum ProtoFieldType: Int {
    case double = 1, float = 2, int64 = 3, uint64 = 4, int32 = 5, fixed64 = 6, fixed32 = 7, bool = 8
    case string = 9, group = 10, message = 11, bytes = 12, uint32 = 13, `enum` = 14
    case sfixed32 = 15, sfixed64 = 16, sint32 = 17, sint64 = 18
}
