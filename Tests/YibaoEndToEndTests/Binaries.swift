import Foundation
import Synchronization

/// The built executables (`yibao`, `yibao-server`) run as child processes, as a user runs them.
enum Binaries {
    /// swift test runs <build>/debug/<package>PackageTests.xctest; the products are built beside it.
    static func path(_ name: String) -> String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if folder.lastPathComponent == "MacOS" { folder = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return folder.appendingPathComponent(name).path
    }

    /// The repository's `examples/` (the README quickstart's request files).
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples").path
}

/// What a finished child printed and how it ended.
struct ChildResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Collects a pipe's bytes on a thread of its own, so a child never blocks on a full pipe.
final class PipeCollector: Sendable {
    private let text = Mutex("")
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
            done.signal()
        }
    }

    var current: String { text.withLock { $0 } }

    /// Everything, once the writer closed its end.
    func finish() -> String {
        done.wait()
        return current
    }
}

enum ChildProcess {
    /// Runs to completion.
    static func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:],
                    directory: String? = nil) throws -> ChildResult {
        let (process, out, err) = try start(binary, arguments, environment: environment, directory: directory)
        process.waitUntilExit()
        return ChildResult(status: process.terminationStatus, stdout: out.finish(), stderr: err.finish())
    }

    static func start(_ binary: String, _ arguments: [String], environment: [String: String] = [:],
                      directory: String? = nil) throws -> (Process, PipeCollector, PipeCollector) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("YIBAO_") }
        merged.merge(environment) { $1 }
        process.environment = merged
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, PipeCollector(out.fileHandleForReading), PipeCollector(err.fileHandleForReading))
    }
}
