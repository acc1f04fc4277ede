import Foundation
import Glibc

/// A fresh folder for the benchmark's data, removed at exit and on Ctrl-C. It must sit on a real disk:
/// on tmpfs an fsync costs nothing and every durable figure would be a lie.
final class ScratchFolder: @unchecked Sendable {
    let path: String
    let filesystem: String
    private var interruptSources: [DispatchSourceSignal] = []

    struct NotOnDisk: Error, CustomStringConvertible {
        let description: String
    }

    init(parent: String) throws {
        filesystem = Self.filesystemName(of: parent)
        guard !filesystem.hasPrefix("tmpfs"), !filesystem.hasPrefix("ramfs") else {
            throw NotOnDisk(description: "\(parent) is on \(filesystem): fsync would cost nothing there; pass --dir with a folder on a disk")
        }
        path = "\(parent)/yibao-ledger-bench-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        removeOnInterrupt()
    }

    /// A new empty subfolder for one ledger or LMDB environment.
    func subfolder(_ name: String) throws -> String {
        let sub = "\(path)/\(name)"
        try? FileManager.default.removeItem(atPath: sub)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        return sub
    }

    func removeSubfolder(_ sub: String) {
        try? FileManager.default.removeItem(atPath: sub)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    private func removeOnInterrupt() {
        let path = self.path
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)  // let the dispatch source see it instead of the default handler
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                try? FileManager.default.removeItem(atPath: path)
                FileHandle.standardError.write(Data("\ninterrupted; removed \(path)\n".utf8))
                exit(130)
            }
            source.resume()
            interruptSources.append(source)
        }
    }

    /// The type of the filesystem holding `path`, from the longest mount point in /proc/mounts that contains it:
    /// enough to tell a disk from memory (Glibc's module does not export statfs).
    static func filesystemName(of path: String) -> String {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return "unknown" }
        var best: (mountPoint: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let mountPoint = String(fields[1]), type = String(fields[2])
            let contains = mountPoint == "/" || resolved == mountPoint || resolved.hasPrefix(mountPoint + "/")
            if contains, mountPoint.count >= (best?.mountPoint.count ?? -1) { best = (mountPoint, type) }
        }
        return best.map { "\($0.type) at \($0.mountPoint)" } ?? "unknown"
    }
}
