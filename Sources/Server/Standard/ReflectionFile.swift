/// One .proto as server reflection serves it; the generator emits one per file (`<base>.reflection.swift`).
public struct ReflectionFile: Sendable {
    /// The name other files import it by, e.g. "yibao/test/v1/echo.proto".
    public let name: String
    /// Names of the files it imports, as written in it.
    public let dependencies: [String]
    /// Fully-qualified names it defines: messages (nested too), enums, services and their methods.
    public let symbols: [String]
    /// The FileDescriptorProto, serialized exactly as protoc produced it.
    public let serializedDescriptor: [UInt8]

    public init(name: String, dependencies: [String], symbols: [String], serializedDescriptor: [UInt8]) {
        self.name = name
        self.dependencies = dependencies
        self.symbols = symbols
        self.serializedDescriptor = serializedDescriptor
    }
}
