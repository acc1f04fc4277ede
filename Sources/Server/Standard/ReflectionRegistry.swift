/// The descriptors a server reflects, indexed by file name and by symbol. Built once, read-only afterwards.
public struct ReflectionRegistry: Sendable {
    private let filesByName: [String: ReflectionFile]
    private let fileNameBySymbol: [String: String]

    /// Defaults to every generated file (`generatedFiles`, emitted by protoc-gen-yibao --reflection-out).
    public init(files: [ReflectionFile] = ReflectionRegistry.generatedFiles) {
        var byName: [String: ReflectionFile] = [:]
        var bySymbol: [String: String] = [:]
        for file in files {
            precondition(byName[file.name] == nil, "reflection: \(file.name) registered twice")
            byName[file.name] = file
            for symbol in file.symbols {
                precondition(bySymbol[symbol] == nil, "reflection: \(symbol) defined twice")
                bySymbol[symbol] = file.name
            }
        }
        filesByName = byName
        fileNameBySymbol = bySymbol
    }

    public func file(named name: String) -> ReflectionFile? { filesByName[name] }

    /// The file defining a fully-qualified symbol (a leading dot, as in type references, is accepted).
    public func file(containingSymbol symbol: String) -> ReflectionFile? {
        let name = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
        return fileNameBySymbol[name].flatMap { filesByName[$0] }
    }

    /// `file` first, then everything it imports, transitively, each once: a client can build the file's
    /// descriptors from this answer alone. Imports the registry does not hold are left out.
    public func withDependencies(_ file: ReflectionFile) -> [ReflectionFile] {
        var ordered: [ReflectionFile] = []
        var seen: Set<String> = []
        var pending = [file]
        while let next = pending.popLast() {
            guard seen.insert(next.name).inserted else { continue }
            ordered.append(next)
            pending.append(contentsOf: next.dependencies.reversed().compactMap { filesByName[$0] })
        }
        return ordered
    }
}
