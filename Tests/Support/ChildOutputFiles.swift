import Foundation

/// A private temporary folder holding a child's stdout and stderr as files: a child never blocks on a full
/// pipe, and what it printed so far can be read at any time without a reader thread.
struct ChildOutputFiles: Sendable {
    let folder: URL
    let stdout: URL
    let stderr: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        stdout = folder.appendingPathComponent("stdout")
        stderr = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
    }

    var currentStdout: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
    var currentStderr: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
