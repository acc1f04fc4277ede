import Foundation

/// Tests/Interop/grpc_server.py (stock grpcio, from the interop venv) as a child process on a free loopback
/// port, or on a given one (restart tests). Owned by `withRunning`, which always stops it: SIGKILL, as grpcio
/// does not always act on SIGTERM (the script also exits by itself after 300 s).
public final class PythonEchoServer: Sendable {
    public let port: Int
    private let child: RunningChild

    private init(port: Int, child: RunningChild) {
        self.port = port
        self.child = child
    }

    public struct StartFailed: Error, CustomStringConvertible { public let description: String }

    /// Runs `body` with the server listening; stops it afterwards, also when `body` throws.
    /// `tls`: "--tls" or "--mtls" with the certificate directory.
    @discardableResult
    public static func withRunning<Result>(port: Int = 0, tls: (flag: String, directory: String)? = nil,
                                           _ body: (PythonEchoServer) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-pyserver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let portFile = directory.appendingPathComponent("port")
        var arguments = [InteropPython.script("grpc_server.py"), InteropPython.protos, portFile.path, "--port", "\(port)"]
        if let tls { arguments += [tls.flag, tls.directory] }
        return try await withRunningChild(InteropPython.executable, arguments, stopSignal: SIGKILL) { child in
            for _ in 0..<1500 {
                if let text = try? String(contentsOf: portFile, encoding: .utf8), let bound = Int(text) {
                    return try await body(PythonEchoServer(port: bound, child: child))
                }
                guard child.isRunning else { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw StartFailed(description: "grpc_server.py did not start: \(child.stderr)")
        }
    }

    /// Stops the server before the scope ends (a restart test) and waits until it has exited, so its port is free.
    public func stop() async {
        await child.stop(signal: SIGKILL)
    }
}
