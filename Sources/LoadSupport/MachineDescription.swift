import Foundation
import Glibc

/// What the figures were measured on: they mean little without the machine, its load and the code's revision.
public struct MachineDescription: Codable, Sendable {
    public let cpuModel: String
    public let logicalCores: Int
    public let memoryGiB: Double
    public let kernel: String
    /// 1, 5 and 15 minute load averages when the benchmark started: others share this machine.
    public let loadAverageAtStart: [Double]
    public let dataFolderFilesystem: String
    public let date: String
    public let gitCommit: String?

    public static func current(dataFilesystem: String) -> MachineDescription {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let loads = loadAverages()
        return MachineDescription(cpuModel: cpuModel(), logicalCores: ProcessInfo.processInfo.activeProcessorCount,
                                  memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30) * 10).rounded() / 10,
                                  kernel: release, loadAverageAtStart: loads,
                                  dataFolderFilesystem: dataFilesystem,
                                  date: ISO8601DateFormatter().string(from: Date()), gitCommit: gitCommit())
    }

    /// The 1, 5 and 15 minute load averages (what `uptime` prints), or [] where unavailable.
    public static func loadAverages() -> [Double] {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) == 3 ? loads.map { ($0 * 100).rounded() / 100 } : []
    }

    private static func cpuModel() -> String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    /// `git rev-parse --short HEAD`, marked "+dirty" when tracked files differ: then the figures are of uncommitted code.
    private static func gitCommit() -> String? {
        guard let commit = run(["rev-parse", "--short", "HEAD"]), !commit.isEmpty else { return nil }
        let changes = run(["status", "--porcelain", "--untracked-files=no"]) ?? ""
        return changes.isEmpty ? commit : commit + "+dirty"
    }

    private static func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
