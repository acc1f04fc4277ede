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
        guard let text = ProcFile.read("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 after the name.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
