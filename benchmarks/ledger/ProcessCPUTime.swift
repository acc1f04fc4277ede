import Glibc

/// User + system CPU seconds of the whole process (every thread: submitters, writer, tree-head signer).
/// Differences between two readings tell what a run cost in CPU, which wall time on a shared machine does not.
enum ProcessCPUTime {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
