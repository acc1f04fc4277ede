import Foundation
import Glibc

/// User + system CPU seconds of a whole process (every thread: submitters, writer, tree-head signer).
/// Differences between two readings tell what a run cost in CPU, which wall time on a shared machine does not.
public enum ProcessCPUTime {
    public static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Another local process (a node under load), from /proc/<pid>/stat; nil once it has exited.
    public static func seconds(pid: Int32) -> Double? {
        seconds(statFile: "/proc/\(pid)/stat")
    }

    /// The threads of this process whose kernel name (comm) is `name`, e.g. the ledger's writer; nil if none.
    public static func seconds(threadsNamed name: String) -> Double? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
        let matching = tasks.filter { ProcFile.read("/proc/self/task/\($0)/comm")?.trimmingCharacters(in: .newlines) == name }
        guard !matching.isEmpty else { return nil }
        return matching.compactMap { seconds(statFile: "/proc/self/task/\($0)/stat") }.reduce(0, +)
    }

    private static func seconds(statFile path: String) -> Double? {
        guard let text = ProcFile.read(path),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 after the name.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
