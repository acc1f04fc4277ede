import Foundation
import Testing

/// Runs Tests/Interop/yibao_api_client.py (grpcio from the interop venv, messages from `protoc --python_out` of
/// Protos/ at test time) against a node, and collects what it checked.
enum PythonAPIClient {
    /// Tests never hang: coreutils `timeout` kills a client that overruns.
    static let timeLimitSeconds = 240

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var python: String {
        if let path = ProcessInfo.processInfo.environment["YIBAO_INTEROP_PYTHON"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".venv-interop/bin/python").path
    }

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
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("No interop Python at \(python): run ./scripts/test, which creates .venv-interop")
            return Run(lines: [], exitCode: -1, errorOutput: "")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-api-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out"), err = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let exitCode = try await TestProcess.run(
            [python, packageRoot.appendingPathComponent("Tests/Interop/yibao_api_client.py").path, String(port),
             packageRoot.appendingPathComponent("Protos").path, keys] + scenarios,
            timeLimitSeconds: timeLimitSeconds, output: try FileHandle(forWritingTo: out), error: try FileHandle(forWritingTo: err))
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        return Run(lines: lines, exitCode: exitCode, errorOutput: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
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
