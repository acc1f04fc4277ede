import Foundation

/// Runs the `openssl` command-line tool in a private temporary directory, for interop checks
/// against an implementation we did not write the calling code for.
final class OpenSSLCommandLine {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yibao-crypto-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    struct Result {
        let status: Int32
        let output: String // stdout and stderr together
    }

    /// Runs `openssl arguments...` with the temporary directory as working directory.
    @discardableResult
    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice // a prompt must fail, not hang
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile() // read before waiting: a full pipe would block
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    /// Runs and requires exit status 0, returning the output.
    @discardableResult
    func succeed(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw CommandFailed(command: "openssl " + arguments.joined(separator: " "), result: result)
        }
        return result.output
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    func write(_ name: String, text: String) throws { try write(name, Array(text.utf8)) }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    func readText(_ name: String) throws -> String { String(decoding: try read(name), as: UTF8.self) }

    struct CommandFailed: Error, CustomStringConvertible {
        let command: String
        let result: Result
        var description: String { "\(command) exited \(result.status): \(result.output)" }
    }
}
