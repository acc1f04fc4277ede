/// Refuses message types that contain themselves, directly or through other messages.
/// Why: a Swift struct cannot hold itself inline, and protobuf-c's unpack recurses once per nesting level with no
/// depth limit, so hostile bytes for a recursive type could exhaust the stack. Without cycles the type graph
/// bounds the nesting depth of every decode. (Phase 1: lifting this needs indirect storage and a depth check.)
enum RecursionCheck {
    static func refuseCycles(in files: [ProtoFile], registry: TypeRegistry) throws {
        var finished = Set<String>()
        for file in files {
            for message in allMessages(file.messages) {
                var path: [String] = []
                try visit(message.fullName, registry: registry, path: &path, finished: &finished)
            }
        }
    }

    private static func allMessages(_ messages: [ProtoMessageDecl]) -> [ProtoMessageDecl] {
        messages.flatMap { [$0] + allMessages($0.nestedMessages) }
    }

    /// Depth-first over message-typed fields; the recursion depth is at most the number of message types,
    /// and the descriptor set is the developer's own input.
    private static func visit(_ name: String, registry: TypeRegistry, path: inout [String],
                              finished: inout Set<String>) throws {
        if finished.contains(name) { return }
        if let start = path.firstIndex(of: name) {
            throw GeneratorError("recursive message types are not supported yet: "
                                 + (path[start...] + [name]).joined(separator: " -> "))
        }
        guard let message = try registry.lookup(name).message else { return }
        path.append(name)
        for field in message.fields where field.type == .message {
            try visit(field.typeName, registry: registry, path: &path, finished: &finished)
        }
        path.removeLast()
        finished.insert(name)
    }
}
