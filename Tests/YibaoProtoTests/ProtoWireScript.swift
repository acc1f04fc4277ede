import Foundation
import Testing

/// Runs Tests/Interop/proto_wire.py with the interop virtualenv's Python (which has the `protobuf` package).
enum ProtoWireScript {
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
        let output = try await ChildProcess.run(
            python, [packageRoot.appendingPathComponent("Tests/Interop/proto_wire.py").path,
                     packageRoot.appendingPathComponent("Protos").path, mode], input: input)
        guard output.status == 0 else {
            Issue.record("proto_wire.py \(mode) exited \(output.status): \(output.standardError)")
            return nil
        }
        var lines: [String: String] = [:]
        for line in output.standardOutput.split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            lines[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return lines
    }
}
