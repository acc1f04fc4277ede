import Foundation
import Testing

/// Runs a script of Tests/Interop with the interop venv's Python (stock grpcio, protobuf) and returns the JSON
/// objects it printed, one per line. Bounded by coreutils `timeout`; the exit is awaited without blocking a thread.
enum PythonPeer {
    static let timeLimitSeconds = 120

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var python: String {
        if let path = ProcessInfo.processInfo.environment["YIBAO_INTEROP_PYTHON"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".venv-interop/bin/python").path
    }

    static func run(_ script: String, _ arguments: [String]) async throws -> [[String: Any]] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("No interop Python at \(python): run ./scripts/test, which creates .venv-interop")
            return []
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-peer-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: output.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(atPath: output.path + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--kill-after=5", String(timeLimitSeconds), python,
                             packageRoot.appendingPathComponent("Tests/Interop/" + script).path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path + ".err"))
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        if status != 0 {
            let errors = (try? String(contentsOfFile: output.path + ".err", encoding: .utf8)) ?? ""
            Issue.record("\(script) exited \(status): \(errors.suffix(3000))")
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
