// protoc-gen-yibao <descriptor-set> <out-dir> [--server-out DIR] [--client-out DIR] [--reflection-out DIR]
//                  [--external PREFIX=DIR]...
// Reads a FileDescriptorSet (protoc --descriptor_set_out --include_imports) and writes one Swift file per .proto;
// each `--x-out DIR` adds that kind of output (docs/codegen.md). `--external PREFIX=DIR`: the protos under PREFIX
// are another system's API that this project only calls (etcd's): their messages are written as usual, their
// client stubs go to DIR, and they get no server provider protocol and no reflection data, so the node can
// neither serve nor describe them.
// Files under google/protobuf/ are imports of the toolchain, not API: they are read for types but not emitted.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func readFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw GeneratorError("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let read = fread(&chunk, 1, chunk.count, file)
        if read == 0 { break }
        bytes += chunk[0..<read]
        guard bytes.count <= GeneratorLimits.maxDescriptorSetBytes else { throw GeneratorError("\(path) is too large") }
    }
    guard ferror(file) == 0 else { throw GeneratorError("cannot read \(path)") }
    return bytes
}

func writeFile(_ path: String, _ text: String) throws {
    guard let file = fopen(path, "wb") else { throw GeneratorError("cannot create \(path)") }
    defer { fclose(file) }
    let bytes = Array(text.utf8)
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw GeneratorError("cannot write \(path)") }
}

/// Writes to file descriptor 2: the C `stderr` global is shared mutable state to Swift 6.
func printError(_ message: String) {
    let bytes = Array(message.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

let usage = "usage: protoc-gen-yibao <descriptor-set> <out-dir> [--server-out DIR] [--client-out DIR] [--reflection-out DIR] [--external PREFIX=DIR]...\n"
var arguments = Array(CommandLine.arguments.prefix(3))
/// Output directories of the optional emitters, by flag.
var outputDirectories: [String: String] = [:]
/// `--external`: proto path prefix -> the directory of its client stubs.
var externalClientDirectories: [(prefix: String, directory: String)] = []
var flagArguments = CommandLine.arguments.dropFirst(3)
while let flag = flagArguments.popFirst() {
    guard ["--server-out", "--client-out", "--reflection-out", "--external"].contains(flag),
          let value = flagArguments.popFirst() else {
        printError(usage)
        exit(2)
    }
    if flag == "--external" {
        let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            printError(usage)
            exit(2)
        }
        externalClientDirectories.append((parts[0], parts[1]))
    } else {
        outputDirectories[flag] = value
    }
}
/// The client stub directory of an external proto; nil for the project's own.
@MainActor func externalClientDirectory(_ protoName: String) -> String? {
    externalClientDirectories.first { protoName.hasPrefix($0.prefix) }?.directory
}
guard arguments.count == 3 else {
    printError(usage)
    exit(2)
}
do {
    let files = try DescriptorSetReader.read(try readFile(arguments[1]))
    let registry = TypeRegistry(files: files)
    try RecursionCheck.refuseCycles(in: files, registry: registry)
    let emitter = FileEmitter(registry: registry)
    for file in files where !file.name.hasPrefix("google/protobuf/") {
        try writeFile(arguments[2] + "/" + FileEmitter.outputName(for: file.name), try emitter.emit(file))
        if let externalOut = externalClientDirectory(file.name) {
            if !file.services.isEmpty {
                try writeFile(externalOut + "/" + ClientServiceEmitter.outputName(for: file.name),
                              try ClientServiceEmitter(registry: registry, importsClientSupport: true).emit(file))
            }
            continue
        }
        if let clientOut = outputDirectories["--client-out"], !file.services.isEmpty {
            try writeFile(clientOut + "/" + ClientServiceEmitter.outputName(for: file.name),
                          try ClientServiceEmitter(registry: registry).emit(file))
        }
        if let serverOut = outputDirectories["--server-out"], !file.services.isEmpty {
            try writeFile(serverOut + "/" + ServerServiceEmitter.outputName(for: file.name),
                          try ServerServiceEmitter(registry: registry).emit(file))
        }
    }
    try writeFile(arguments[2] + "/" + MessageCatalogEmitter.outputName,
                  try MessageCatalogEmitter.emit(files.filter { !$0.name.hasPrefix("google/protobuf/") }, registry: registry))
    if let directory = outputDirectories["--reflection-out"] {
        let reflected = try ReflectionEmitter.files(inDescriptorSet: try readFile(arguments[1]))
            .filter { !$0.name.hasPrefix("google/protobuf/") && externalClientDirectory($0.name) == nil }
        for file in reflected {
            try writeFile(directory + "/" + ReflectionEmitter.outputName(for: file.name), ReflectionEmitter.emit(file))
        }
        try writeFile(directory + "/" + ReflectionEmitter.registryOutputName, ReflectionEmitter.emitRegistry(reflected))
    }
} catch {
    printError("protoc-gen-yibao: \(error)\n")
    exit(1)
}
