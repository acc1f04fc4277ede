import Foundation
import Testing

/// Runs Tests/Interop/proto_wire.py with the interop virtualenv's Python (which has the `protobuf` package).
enum ProtoWireScript {
    static let timeLimitSeconds = 120

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// `YIBAO_INTEROP_PYTHON` (exported by scripts/test), else the venv scripts/test creates.
    static var python: String {
        if let path = ProcessInfo.processInfo.environment["YIBAO_INTEROP_PYTHON"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".venv-interop/bin/python").path
    }

    /// "<name> <rest>" lines the script printed, by name. Nil (and an issue recorded) when it could not run.
    static func run(_ mode: String, input: String = "") async throws -> [String: String]? {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("No interop Python at \(python): run ./scripts/test, which creates .venv-interop")
            return nil
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-proto-wire-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inURL = directory.appendingPathComponent("stdin"), outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        try Data(input.utf8).write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["\(timeLimitSeconds)", python,
                             packageRoot.appendingPathComponent("Tests/Interop/proto_wire.py").path,
                             packageRoot.appendingPathComponent("Protos").path, mode]
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        // Awaited through terminationHandler: no thread of the cooperative pool blocks while Python runs.
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        guard status == 0 else {
            Issue.record("proto_wire.py \(mode) exited \(status): \(errors)")
            return nil
        }
        var lines: [String: String] = [:]
        for line in try String(contentsOf: outURL, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            lines[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return lines
    }
}
