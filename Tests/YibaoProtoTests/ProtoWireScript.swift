import Foundation
import Testing
import YibaoTestSupport

/// Runs Tests/Interop/proto_wire.py with the interop virtualenv's Python (which has the `protobuf` package).
enum ProtoWireScript {
    /// "<name> <rest>" lines the script printed, by name. Nil (and an issue recorded) when it could not run.
    static func run(_ mode: String, input: String = "") async throws -> [String: String]? {
        guard let output = try await InteropPython.run("proto_wire.py", [InteropPython.protos, mode], input: input) else {
            return nil
        }
        guard output.status == 0 else {
            Issue.record("proto_wire.py \(mode) exited \(output.status): \(output.stderr)")
            return nil
        }
        var lines: [String: String] = [:]
        for line in output.stdout.split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            lines[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return lines
    }
}
