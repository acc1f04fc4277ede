import Foundation
import Testing
import YibaoRPC
import YibaoTestSupport

/// nghttp2's own load generator (h2load, Debian nghttp2-client) against the server: many connections and
/// multiplexed streams at once. Bounded in count; asserts on outcomes, never on speed.
@Suite("Load smoke with h2load")
struct LoadSmokeTests {
    @Test func h2loadCompletesEveryMultiplexedCall() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/h2load") else {
            Issue.record("h2load missing: ./scripts/bootstrap installs nghttp2-client")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-h2load-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // One framed gRPC message: flag 0, length 1000, payload.
        let body = Data([0, 0, 0, 0x03, 0xE8] + [UInt8](repeating: 0x61, count: 1000))
        let bodyURL = directory.appendingPathComponent("request")
        try body.write(to: bodyURL)

        let requests = 2000
        let summary: String = try await withEchoServer { server, _ in
            let output = try await ChildProcess.run("/usr/bin/h2load", [
                "-n", String(requests), "-c", "4", "-m", "32", "-d", bodyURL.path,
                "-H", "content-type: application/grpc", "-H", "te: trailers",
                "http://127.0.0.1:\(server.port)/yibao.test.v1.Echo/Unary"])
            return output.stdout + output.stderr
        }
        // h2load's summary line: "requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, ..."
        let line = summary.split(separator: "\n").first { $0.hasPrefix("requests:") }.map(String.init) ?? summary
        #expect(line.contains("\(requests) succeeded, 0 failed, 0 errored"), "\(line)")
        #expect(summary.contains("status codes: \(requests) 2xx"), "\(summary.suffix(800))")
    }
}
