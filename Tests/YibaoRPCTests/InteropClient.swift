import Foundation
import Testing

/// Runs Tests/Interop/grpc_client.py (stock grpcio and h2 in the project's virtualenv) and collects
/// the JSON lines it prints.
enum InteropClient {
    /// Longest a scenario run may take before it is killed: tests never hang.
    /// Enforced by coreutils `timeout`, which kills the client if it overruns.
    static let timeLimitSeconds = 300

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// `YIBAO_INTEROP_PYTHON` (exported by scripts/test), else the venv scripts/test creates.
    static var python: String {
        if let path = ProcessInfo.processInfo.environment["YIBAO_INTEROP_PYTHON"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".venv-interop/bin/python").path
    }

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
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("No interop Python at \(python): run ./scripts/test, which creates .venv-interop")
            return Result(records: [], exitCode: -1, errorOutput: "")
        }
        // Output goes to files and the exit is awaited through terminationHandler: nothing here blocks a thread
        // of Swift's small cooperative pool, which the server's handler tasks need while the client runs.
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yibao-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--kill-after=5", String(timeLimitSeconds), python, packageRoot.appendingPathComponent("Tests/Interop/" + script).path]
            + arguments
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? outHandle.close()
        try? errHandle.close()
        let outData = (try? Data(contentsOf: outURL)) ?? Data()
        let errData = (try? Data(contentsOf: errURL)) ?? Data()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let records = String(decoding: outData, as: UTF8.self).split(separator: "\n").compactMap { line in
            try? decoder.decode(Record.self, from: Data(line.utf8))
        }
        let result = Result(records: records, exitCode: status,
                            errorOutput: String(decoding: errData, as: UTF8.self))
        if result.exitCode != 0 {
            Issue.record("interop client exited \(result.exitCode): \(result.errorOutput.suffix(2000))")
        }
        return result
    }
}
