/// Refuses protos whose Swift spellings would collide, so the generator fails with the proto's names instead of
/// emitting Swift that does not compile (e.g. fields `foo_bar` and `fooBar`, a field named `encoded`, a oneof
/// `kind` beside a nested enum `Kind`, enum values that are equal once the enum's prefix is stripped).
enum NameCollisionCheck {
    /// Members every generated message already has.
    private static let reservedMembers: Set<String> = ["encoded", "init", "protoName", "cDescriptor", "CMessage"]

    static func check(_ message: ProtoMessageDecl) throws {
        var members = Set<String>()
        let memberNames = message.fields.filter { $0.oneofIndex == nil }.map(\.name) + message.oneofNames
        for name in memberNames {
            let swiftName = SwiftNaming.propertyName(name)
            guard !reservedMembers.contains(swiftName), members.insert(swiftName).inserted else {
                throw GeneratorError("\(message.fullName).\(name) becomes the Swift member \(swiftName), already taken")
            }
        }
        var types = Set<String>()
        let typeNames = message.oneofNames.map(SwiftNaming.typeName) + message.nestedEnums.map(\.name)
            + message.nestedMessages.filter { !$0.isMapEntry }.map(\.name)
        for name in typeNames where !types.insert(name).inserted {
            throw GeneratorError("\(message.fullName) declares the Swift type \(name) twice (a oneof and a nested type?)")
        }
        for (index, oneofName) in message.oneofNames.enumerated() {
            var cases = Set<String>()
            for field in message.fields where field.oneofIndex == index {
                guard cases.insert(SwiftNaming.propertyName(field.name)).inserted else {
                    throw GeneratorError("\(message.fullName).\(oneofName) has two cases named \(field.name)")
                }
            }
        }
    }

    static func check(_ enumeration: ProtoEnumDecl) throws {
        var cases = Set<String>(["unrecognized"])
        var numbers = Set<Int32>()
        for value in enumeration.values where numbers.insert(value.number).inserted {
            let name = SwiftNaming.enumCaseName(value.name, enumName: enumeration.name)
            guard cases.insert(name).inserted else {
                throw GeneratorError("\(enumeration.fullName).\(value.name) becomes the Swift case \(name), already taken")
            }
        }
    }
}
