import Foundation
import Testing
import YibaoTestSupport

/// Runs Tests/Interop/yibao_api_client.py (grpcio from the interop venv, messages from `protoc --python_out` of
/// Protos/ at test time) against a node, and collects what it checked.
enum PythonAPIClient {
    /// Tests never hang: coreutils `timeout` kills a client that overruns.
    static let timeLimitSeconds = 240

    /// One line the client printed: an expectation (`check`, `ok`, `got`, `want`), a value, or a scenario's end.
    struct Line: Decodable, Sendable {
        var scenario: String
        var check: String?
        var ok: Bool?
        var got: String?
        var want: String?
        var value: String?
        var data: [String: JSONValue]?
        var done: Bool?
    }

    enum JSONValue: Decodable, Sendable, Equatable {
        case string(String), number(Double)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .string(text) } else { self = .number(try container.decode(Double.self)) }
        }
    }

    struct Run: Sendable {
        let lines: [Line]
        let exitCode: Int32
        let errorOutput: String

        var checks: [Line] { lines.filter { $0.check != nil } }
        func value(_ name: String) -> [String: JSONValue]? { lines.first { $0.value == name }?.data }
        func finished(_ scenario: String) -> Bool { lines.contains { $0.scenario == scenario && $0.done == true } }
    }

    static func run(port: Int, keys: String, _ scenarios: [String]) async throws -> Run {
        guard let output = try await InteropPython.run("yibao_api_client.py", [String(port), InteropPython.protos, keys] + scenarios,
                                                       timeLimitSeconds: timeLimitSeconds) else {
            return Run(lines: [], exitCode: -1, errorOutput: "")
        }
        let lines = output.stdout.split(separator: "\n").compactMap { try? JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        return Run(lines: lines, exitCode: output.status, errorOutput: output.stderr)
    }

    /// Every check the client made passed, the scenarios all finished, and there were at least `minimumChecks`.
    static func expectAllPassed(_ run: Run, _ scenarios: [String], minimumChecks: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in run.checks where line.ok != true {
            Issue.record("\(line.scenario) \(line.check ?? "?"): got \(line.got ?? "?"), want \(line.want ?? "?")",
                         sourceLocation: sourceLocation)
        }
        for scenario in scenarios {
            #expect(run.finished(scenario), "scenario \(scenario) did not finish; stderr: \(run.errorOutput.suffix(2000))",
                    sourceLocation: sourceLocation)
        }
        #expect(run.checks.count >= minimumChecks, "only \(run.checks.count) checks ran", sourceLocation: sourceLocation)
        #expect(run.exitCode == 0, "client exit \(run.exitCode); stderr: \(run.errorOutput.suffix(2000))", sourceLocation: sourceLocation)
    }
}
