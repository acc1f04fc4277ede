/// Every message and enum in the descriptor set by full proto name, with its Swift and C spellings.
struct TypeRegistry {
    struct Entry {
        var swiftName: String     // "Yibao_Test_V1_EchoRequest.Nested"
        var cTypeName: String     // "Yibao__Test__V1__EchoRequest__Nested"
        var cFunctionPrefix: String
        var message: ProtoMessageDecl?
        var enumeration: ProtoEnumDecl?
    }

    private(set) var entries: [String: Entry] = [:]

    init(files: [ProtoFile]) {
        for file in files {
            let prefix = SwiftNaming.packagePrefix(file.package)
            for message in file.messages { register(message, swiftName: prefix + message.name) }
            for enumeration in file.enums { register(enumeration, swiftName: prefix + enumeration.name) }
        }
    }

    func lookup(_ fullName: String) throws -> Entry {
        guard let entry = entries[fullName] else { throw GeneratorError("unknown type \(fullName)") }
        return entry
    }

    private mutating func register(_ message: ProtoMessageDecl, swiftName: String) {
        entries[message.fullName] = Entry(
            swiftName: swiftName, cTypeName: CNaming.typeName(message.fullName),
            cFunctionPrefix: CNaming.functionPrefix(message.fullName), message: message, enumeration: nil)
        for nested in message.nestedMessages { register(nested, swiftName: swiftName + "." + nested.name) }
        for nested in message.nestedEnums { register(nested, swiftName: swiftName + "." + nested.name) }
    }

    private mutating func register(_ enumeration: ProtoEnumDecl, swiftName: String) {
        entries[enumeration.fullName] = Entry(
            swiftName: swiftName, cTypeName: CNaming.typeName(enumeration.fullName),
            cFunctionPrefix: CNaming.functionPrefix(enumeration.fullName), message: nil, enumeration: enumeration)
    }
}
