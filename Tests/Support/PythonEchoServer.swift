import Foundation

/// Tests/Interop/grpc_server.py (stock grpcio, from the interop venv) as a child process on a free loopback
/// port, or on a given one (restart tests). Killed by the test (SIGKILL: grpcio does not always act on SIGTERM);
/// the script also exits by itself after 300 s.
public final class PythonEchoServer: Sendable {
    public let port: Int
    private let process: Process
    private let errorFile: URL

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var python: String {
        if let path = ProcessInfo.processInfo.environment["YIBAO_INTEROP_PYTHON"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".venv-interop/bin/python").path
    }

    private init(port: Int, process: Process, errorFile: URL) {
        self.port = port
        self.process = process
        self.errorFile = errorFile
    }

    public struct StartFailed: Error, CustomStringConvertible { public let description: String }

    /// `tls`: "--tls" or "--mtls" with the certificate directory.
    public static func start(port: Int = 0, tls: (flag: String, directory: String)? = nil) async throws -> PythonEchoServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-pyserver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port"), errorFile = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        var arguments = [packageRoot.appendingPathComponent("Tests/Interop/grpc_server.py").path,
                         packageRoot.appendingPathComponent("Protos").path, portFile.path, "--port", "\(port)"]
        if let tls { arguments += [tls.flag, tls.directory] }
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        for _ in 0..<1500 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let bound = Int(text) {
                return PythonEchoServer(port: bound, process: process, errorFile: errorFile)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        throw StartFailed(description: "grpc_server.py did not start: \(errors)")
    }

    /// Stops the server (SIGTERM through `timeout`) and waits until it has exited, so its port is free.
    public func stop() async {
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<1500 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
