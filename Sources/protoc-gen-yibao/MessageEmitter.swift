/// Emits one message: a public value type, and an internal extension that converts it to and from protobuf-c's struct.
struct MessageEmitter {
    let registry: TypeRegistry

    // MARK: The value type

    func emitType(_ message: ProtoMessageDecl, into w: inout CodeWriter) throws {
        try NameCollisionCheck.check(message)
        let entry = try registry.lookup(message.fullName)
        let shortName = entry.swiftName.split(separator: ".").last.map(String.init) ?? entry.swiftName
        w.line("/// `\(message.fullName)`")
        try w.block("public struct \(shortName): ProtoMessage {") { w in
            for field in message.fields where field.oneofIndex == nil {
                let (type, value) = try declaration(of: field, in: message)
                w.line("public var \(SwiftNaming.propertyName(field.name)): \(type) = \(value)")
            }
            for oneofName in message.oneofNames {
                w.line("public var \(SwiftNaming.propertyName(oneofName)): \(SwiftNaming.typeName(oneofName))? = nil")
            }
            w.line()
            w.line("public init() {}")
            w.line()
            w.line("/// Refuses input over `maxSize` bytes before protobuf-c sees it.")
            w.block("public init(decoding bytes: [UInt8], maxSize: Int = ProtoLimits.defaultMaxMessageSize) throws(ProtoDecodingError) {") { w in
                w.line("self = try ProtoC.decode(bytes, maxSize: maxSize)")
            }
            w.line()
            w.line("public func encoded() -> [UInt8] { ProtoC.encode(self) }")
            for (index, oneofName) in message.oneofNames.enumerated() {
                w.line()
                try w.block("public enum \(SwiftNaming.typeName(oneofName)): Sendable, Equatable {") { w in
                    for field in message.fields where field.oneofIndex == index {
                        let codec = try ValueCodec.make(type: field.type, typeName: field.typeName, registry: registry)
                        w.line("case \(SwiftNaming.propertyName(field.name))(\(codec.swiftType))")
                    }
                }
            }
            for nested in message.nestedEnums {
                w.line()
                try EnumEmitter.emit(nested, swiftName: nested.name, into: &w)
            }
            for nested in message.nestedMessages where !nested.isMapEntry {
                w.line()
                try emitType(nested, into: &w)
            }
        }
    }

    private func declaration(of field: ProtoFieldDecl, in message: ProtoMessageDecl) throws -> (String, String) {
        if let map = try mapEntry(of: field, in: message) {
            let key = try ValueCodec.make(type: map.key.type, typeName: map.key.typeName, registry: registry)
            let value = try ValueCodec.make(type: map.value.type, typeName: map.value.typeName, registry: registry)
            return ("[\(key.swiftType): \(value.swiftType)]", "[:]")
        }
        let codec = try ValueCodec.make(type: field.type, typeName: field.typeName, registry: registry)
        if field.isRepeated { return ("[\(codec.swiftType)]", "[]") }
        // proto3: an absent message field is distinguishable from an empty one.
        if codec.message != nil { return ("\(codec.swiftType)?", "nil") }
        return (codec.swiftType, codec.defaultValue)
    }

    /// The key and value fields when `field` is a map (a repeated field of a nested map_entry message).
    private func mapEntry(of field: ProtoFieldDecl,
                          in message: ProtoMessageDecl) throws -> (entry: TypeRegistry.Entry, key: ProtoFieldDecl, value: ProtoFieldDecl)? {
        guard field.isRepeated, field.type == .message else { return nil }
        let entry = try registry.lookup(field.typeName)
        guard let entryMessage = entry.message, entryMessage.isMapEntry else { return nil }
        guard let key = entryMessage.fields.first(where: { $0.number == 1 }),
              let value = entryMessage.fields.first(where: { $0.number == 2 }) else {
            throw GeneratorError("\(field.typeName) is a map entry without key and value")
        }
        return (entry, key, value)
    }

    // MARK: The bridge to protobuf-c

    func emitBridge(_ message: ProtoMessageDecl, into w: inout CodeWriter) throws {
        let entry = try registry.lookup(message.fullName)
        try w.block("extension \(entry.swiftName): ProtoCBridged {") { w in
            w.line("typealias CMessage = \(entry.cTypeName)")
            w.line("static let protoName = \"\(message.fullName)\"")
            w.line("nonisolated(unsafe) static let cDescriptor = ProtoC.descriptor(initializedBy: \(entry.cFunctionPrefix)__init)")
            w.line()
            w.line("static func initializeCMessage(_ c: UnsafeMutablePointer<CMessage>) { \(entry.cFunctionPrefix)__init(c) }")
            w.line()
            try w.block("init(cMessage c: UnsafePointer<CMessage>) {") { w in
                w.line("self.init()")
                for field in message.fields where field.oneofIndex == nil { try emitDecode(field, in: message, into: &w) }
                for (index, oneofName) in message.oneofNames.enumerated() {
                    try emitOneofDecode(oneofName, fields: message.fields.filter { $0.oneofIndex == index }, into: &w)
                }
            }
            w.line()
            try w.block("func fillCMessage(_ c: UnsafeMutablePointer<CMessage>) {") { w in
                for field in message.fields where field.oneofIndex == nil { try emitEncode(field, in: message, into: &w) }
                for (index, oneofName) in message.oneofNames.enumerated() {
                    try emitOneofEncode(oneofName, fields: message.fields.filter { $0.oneofIndex == index }, into: &w)
                }
            }
        }
        for nested in message.nestedMessages where !nested.isMapEntry {
            w.line()
            try emitBridge(nested, into: &w)
        }
    }

    private func member(_ name: String) -> String { "c.pointee.\(SwiftNaming.escaped(CNaming.memberName(name)))" }
    private func count(_ name: String) -> String { "c.pointee.n_\(CNaming.memberName(name))" }

    private func emitDecode(_ field: ProtoFieldDecl, in message: ProtoMessageDecl, into w: inout CodeWriter) throws {
        let property = "self.\(SwiftNaming.propertyName(field.name))"
        if let map = try mapEntry(of: field, in: message) {
            let key = try ValueCodec.make(type: map.key.type, typeName: map.key.typeName, registry: registry)
            let value = try ValueCodec.make(type: map.value.type, typeName: map.value.typeName, registry: registry)
            // Later entries win, as on every proto3 implementation.
            w.block("for entry in ProtoC.messages(\(member(field.name)), count: \(count(field.name))) {") { w in
                w.line("\(property)[\(key.decode("entry.pointee.key"))] = \(value.decode("entry.pointee.value"))")
            }
            return
        }
        let codec = try ValueCodec.make(type: field.type, typeName: field.typeName, registry: registry)
        if field.isRepeated {
            if codec.message != nil {
                w.line("\(property) = ProtoC.messages(\(member(field.name)), count: \(count(field.name))).map { \(codec.decode("$0")) }")
            } else {
                w.line("\(property) = ProtoC.array(\(member(field.name)), count: \(count(field.name))) { \(codec.decode("$0")) }")
            }
        } else if let entry = codec.message {
            w.line("\(property) = \(member(field.name)).map { \(entry.swiftName)(cMessage: $0) }")
        } else {
            w.line("\(property) = \(codec.decode(member(field.name)))")
        }
    }

    private func emitEncode(_ field: ProtoFieldDecl, in message: ProtoMessageDecl, into w: inout CodeWriter) throws {
        let property = "self.\(SwiftNaming.propertyName(field.name))"
        if let map = try mapEntry(of: field, in: message) {
            let key = try ValueCodec.make(type: map.key.type, typeName: map.key.typeName, registry: registry)
            let value = try ValueCodec.make(type: map.value.type, typeName: map.value.typeName, registry: registry)
            // Sorted by key: the same dictionary always encodes to the same bytes.
            let order = map.key.type == .bool ? "{ !$0.key && $1.key }" : "{ $0.key < $1.key }"
            let entryPointer = "UnsafeMutablePointer<\(map.entry.cTypeName)>?"
            w.block("ProtoC.fill(&\(member(field.name)), count: &\(count(field.name)), from: \(property).sorted(by: \(order))) { (element) -> \(entryPointer) in") { w in
                w.line("let entry = ProtoC.allocateMessage(initializedBy: \(map.entry.cFunctionPrefix)__init)")
                w.line("entry.pointee.key = \(key.encode("element.key"))")
                w.line("entry.pointee.value = \(value.encode("element.value"))")
                w.line("return entry")
            }
            return
        }
        let codec = try ValueCodec.make(type: field.type, typeName: field.typeName, registry: registry)
        if field.isRepeated {
            w.line("ProtoC.fill(&\(member(field.name)), count: &\(count(field.name)), from: \(property)) { \(codec.encode("$0")) }")
        } else if codec.message != nil {
            w.line("\(member(field.name)) = \(property).map { \(codec.encode("$0")) }")
        } else {
            w.line("\(member(field.name)) = \(codec.encode(property))")
        }
    }

    private func emitOneofDecode(_ name: String, fields: [ProtoFieldDecl], into w: inout CodeWriter) throws {
        let property = "self.\(SwiftNaming.propertyName(name))"
        w.line("switch c.pointee.\(CNaming.memberName(name))_case.rawValue {")
        for field in fields {
            let codec = try ValueCodec.make(type: field.type, typeName: field.typeName, registry: registry)
            w.line("case \(field.number): \(property) = .\(SwiftNaming.propertyName(field.name))(\(codec.decode(member(field.name))))")
        }
        w.line("default: \(property) = nil")
        w.line("}")
    }

    private func emitOneofEncode(_ name: String, fields: [ProtoFieldDecl], into w: inout CodeWriter) throws {
        w.line("switch self.\(SwiftNaming.propertyName(name)) {")
        for field in fields {
            let codec = try ValueCodec.make(type: field.type, typeName: field.typeName, registry: registry)
            w.line("case .\(SwiftNaming.propertyName(field.name))(let value)?:")
            // The case enum's values are the field numbers.
            w.line("    c.pointee.\(CNaming.memberName(name))_case = .init(rawValue: \(field.number))")
            w.line("    \(member(field.name)) = \(codec.encode("value"))")
        }
        w.line("case nil: break")
        w.line("}")
    }
}
