import Foundation
import Testing
import YibaoTestSupport

/// Runs Tests/Interop/grpc_client.py (stock grpcio and h2 in the project's virtualenv) and collects
/// the JSON lines it prints.
enum InteropClient {
    /// Longest a scenario run may take before it is killed: tests never hang.
    static let timeLimitSeconds = 300

    /// One line the client printed; each scenario fills the fields it reports.
    struct Record: Decodable, Sendable {
        var scenario: String
        var size: Int?
        var ok: Bool?
        var got: Int?
        var calls: Int?
        var matched: Int?
        var count: Int?
        var received: Int?
        var response: String?
        var initialAscii: String?
        var initialBin: [Int]?
        var trailingAscii: String?
        var trailingBin: [Int]?
        var sentBin: [Int]?
        var sent: Int?
        var code: Int?
        var details: String?
        var expected: String?
        var cancelled: Bool?
        var status: String?
        var grpcStatus: String?
        var accept: String?
        var closed: Bool?
        var goaway: Bool?
        var goawayLastStreams: [Int]?
        var lateStatus: String?
        var maxConcurrentStreams: Int?
        var maxHeaderListSize: Int?
        var reset: Bool?
    }

    struct Result: Sendable {
        let records: [Record]
        let exitCode: Int32
        let errorOutput: String

        func records(_ scenario: String) -> [Record] { records.filter { $0.scenario == scenario } }
        func first(_ scenario: String) -> Record? { records(scenario).first }
    }

    /// Runs the given scenarios against the server on `port`.
    static func run(port: Int, _ scenarios: String...) async throws -> Result {
        try await run(script: "grpc_client.py", arguments: [String(port)] + scenarios)
    }

    /// Runs `Tests/Interop/<script>` with `arguments`.
    static func run(script: String, arguments: [String]) async throws -> Result {
        guard let output = try await InteropPython.run(script, arguments, timeLimitSeconds: timeLimitSeconds) else {
            return Result(records: [], exitCode: -1, errorOutput: "")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let records = output.stdout.split(separator: "\n").compactMap { line in
            try? decoder.decode(Record.self, from: Data(line.utf8))
        }
        let result = Result(records: records, exitCode: output.status, errorOutput: output.stderr)
        if result.exitCode != 0 {
            Issue.record("interop client exited \(result.exitCode): \(result.errorOutput.suffix(2000))")
        }
        return result
    }
}
