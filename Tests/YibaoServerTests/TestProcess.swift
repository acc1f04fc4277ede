import Foundation

/// Runs a child under coreutils `timeout` (tests never hang) and awaits its exit through `terminationHandler`,
/// so no thread of Swift's cooperative pool blocks while the node under test needs it.
enum TestProcess {
    static func run(_ arguments: [String], timeLimitSeconds: Int, in directory: String? = nil,
                    output: FileHandle = .nullDevice, error: FileHandle = .nullDevice) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-k", "5", String(timeLimitSeconds)] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = output
        process.standardError = error
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
