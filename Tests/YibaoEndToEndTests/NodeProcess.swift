import Foundation
import Testing
import YibaoTestSupport

/// The built `yibao-server` as a child process listening on a free 127.0.0.1 port, owned by a scope: however the
/// test ends, the node is stopped (SIGTERM, then SIGKILL after a grace period) and reaped.
enum NodeProcess {
    /// Starts the node, waits until its log says where it listens, and runs `body` with the node and that port.
    /// `arguments` must make it listen on port 0 of 127.0.0.1 (flag or config file).
    @discardableResult
    static func withRunning<Result>(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                                    sourceLocation: SourceLocation = #_sourceLocation,
                                    _ body: (RunningChild, String) async throws -> Result) async throws -> Result {
        try await withRunningChild(Binaries.path("yibao-server"), arguments, environment: Binaries.environment(environment),
                                   directory: directory) { node in
            var port: String?
            for _ in 0..<600 where port == nil && node.isRunning {
                try await Task.sleep(for: .milliseconds(100))
                port = listeningPort(in: node.stderr)
            }
            let listening = try #require(port, "the node did not report listening:\n\(node.stderr)", sourceLocation: sourceLocation)
            return try await body(node, listening)
        }
    }

    /// The port of the "node listening" line, in the text log format or the JSON one.
    static func listeningPort(in log: String) -> String? {
        for line in log.split(separator: "\n") {
            if line.contains("msg=\"node listening\""),
               let field = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }) {
                return String(field.dropFirst(5))
            }
            if line.contains("\"msg\":\"node listening\""),
               let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] {
                return object["port"]
            }
        }
        return nil
    }
}
