import Foundation
import Testing
import YibaoTestSupport

/// Runs a script of Tests/Interop with the interop venv's Python (stock grpcio, protobuf) and returns the JSON
/// objects it printed, one per line.
enum PythonPeer {
    static let timeLimitSeconds = 120

    static func run(_ script: String, _ arguments: [String]) async throws -> [[String: Any]] {
        guard let output = try await InteropPython.run(script, arguments, timeLimitSeconds: timeLimitSeconds) else { return [] }
        if output.status != 0 {
            Issue.record("\(script) exited \(output.status): \(output.stderr.suffix(3000))")
        }
        return output.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
