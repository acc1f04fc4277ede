/// Emits a proto enum as a Swift enum that keeps values it does not know (proto3 enums are open).
enum EnumEmitter {
    /// `swiftName`: the declared name, package-prefixed at file scope, plain when nested in a message.
    static func emit(_ enumeration: ProtoEnumDecl, swiftName: String, into w: inout CodeWriter) throws {
        try NameCollisionCheck.check(enumeration)
        // An alias (allow_alias) repeats a number: the first name wins so every number maps to one case.
        var seen = Set<Int32>()
        let cases = enumeration.values.filter { seen.insert($0.number).inserted }.map {
            (name: SwiftNaming.enumCaseName($0.name, enumName: enumeration.name), number: $0.number)
        }
        w.line("/// `\(enumeration.fullName)`")
        w.block("public enum \(swiftName): RawRepresentable, Sendable, Hashable {") { w in
            for item in cases { w.line("case \(item.name)") }
            w.line("/// A value this build does not know: kept so that it survives a decode and encode.")
            w.line("case unrecognized(Int32)")
            w.line()
            w.block("public init(rawValue: Int32) {") { w in
                w.line("switch rawValue {")
                for item in cases { w.line("case \(item.number): self = .\(item.name)") }
                w.line("default: self = .unrecognized(rawValue)")
                w.line("}")
            }
            w.line()
            w.block("public var rawValue: Int32 {") { w in
                w.line("switch self {")
                for item in cases { w.line("case .\(item.name): \(item.number)") }
                w.line("case .unrecognized(let value): value")
                w.line("}")
            }
        }
    }
}
