import Foundation
import YibaoTestSupport

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

    /// This process's environment without its `YIBAO_*` settings (a developer's own must not leak into the
    /// binaries under test), plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("YIBAO_") }
        merged.merge(extra) { $1 }
        return merged
    }

    /// Runs the built `name` to completion (bounded), with `environment(extra)`.
    static func run(_ name: String, _ arguments: [String], environment extra: [String: String] = [:],
                    directory: String? = nil) async throws -> ChildOutput {
        try await ChildProcess.run(path(name), arguments, environment: environment(extra), directory: directory)
    }
}
