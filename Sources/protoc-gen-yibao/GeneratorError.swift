/// Why the generator refused a descriptor set: every refusal names the file, message or field at fault.
struct GeneratorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
