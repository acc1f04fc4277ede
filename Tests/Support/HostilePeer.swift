import Foundation
import Testing

/// Tests/Interop/hostile_peer.py (raw sockets and h2's frame encoder): stalled readers, idle sockets, slowloris
/// peers, run as a child process for as long as a test body needs them.
public enum HostilePeer {
    /// Runs `hostile_peer.py arguments…` until `body` returns, once it has printed that its connections are up;
    /// `body` gets a view of what it has printed so far (one JSON object a line). The peer is SIGKILLed after.
    public static func with<Result>(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation,
                                    _ body: (_ output: @escaping @Sendable () -> String) async throws -> Result)
        async throws -> Result {
        try await withRunningChild(InteropPython.executable, [InteropPython.script("hostile_peer.py")] + arguments,
                                   stopSignal: SIGKILL) { peer in
            for _ in 0..<600 where !peer.stdout.contains("\"ready\": true") && peer.isRunning {
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(peer.stdout.contains("\"ready\": true"), "the hostile peer did not start: \(peer.stderr)",
                         sourceLocation: sourceLocation)
            return try await body { peer.stdout }
        }
    }

    /// How long each connection the server closed had been open, from the peer's "closed" lines.
    public static func closedAfter(_ output: String) -> [Double] {
        output.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["closed"] as? Bool == true else { return nil }
            return object["after"] as? Double
        }
    }
}
