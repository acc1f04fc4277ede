import Foundation

/// Runs a program to completion under coreutils `timeout` (a test never hangs on it: SIGTERM at the limit,
/// SIGKILL 5 s later), its output collected through files. The exit is awaited through `terminationHandler`:
/// no thread of Swift's small cooperative pool blocks while it runs (servers under test in this process need them).
public enum ChildProcess {
    /// `environment`: nil inherits this process's; `input`: what the child reads on stdin.
    public static func run(_ executable: String, _ arguments: [String], input: String = "",
                           environment: [String: String]? = nil, directory: String? = nil,
                           timeLimitSeconds: Int = 120) async throws -> ChildOutput {
        let files = try ChildOutputFiles()
        defer { files.remove() }
        let inURL = files.folder.appendingPathComponent("stdin")
        try Data(input.utf8).write(to: inURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--kill-after=5", String(timeLimitSeconds), executable] + arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: files.stdout)
        process.standardError = try FileHandle(forWritingTo: files.stderr)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return ChildOutput(status: status, stdout: files.currentStdout, stderr: files.currentStderr)
    }
}
