import Foundation
import Testing

/// The interop virtualenv's Python (stock grpcio, h2, protobuf; made by scripts/test from
/// Tests/Interop/requirements.txt) and the scripts of Tests/Interop it runs.
public enum InteropPython {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `YIBAO_INTEROP_PYTHON` (exported by scripts/test), else the venv scripts/test creates.
    public static var executable: String {
        if let path = ProcessInfo.processInfo.environment["YIBAO_INTEROP_PYTHON"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".venv-interop/bin/python").path
    }

    /// The path of `Tests/Interop/<name>`.
    public static func script(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Interop/" + name).path
    }

    /// The repository's Protos folder, which the scripts compile at test time.
    public static var protos: String { packageRoot.appendingPathComponent("Protos").path }

    /// Whether the venv is there; when not, records an issue saying how to make it.
    public static func isAvailable(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            Issue.record("No interop Python at \(executable): run ./scripts/test, which creates .venv-interop",
                         sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    /// Runs `Tests/Interop/<script> arguments…` to completion (see `ChildProcess.run`); nil, with an issue
    /// recorded, when the venv is missing.
    public static func run(_ script: String, _ arguments: [String], input: String = "", timeLimitSeconds: Int = 120,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws -> ChildOutput? {
        guard isAvailable(sourceLocation: sourceLocation) else { return nil }
        return try await ChildProcess.run(executable, [self.script(script)] + arguments, input: input,
                                          timeLimitSeconds: timeLimitSeconds)
    }
}
