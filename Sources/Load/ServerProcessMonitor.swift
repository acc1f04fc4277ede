import YibaoLoadSupport

/// The node under load when it runs on this machine: its CPU over the run and its memory, sampled every second.
/// RssAnon is the heap (what the memory target is about); RssFile is mostly the LMDB map's page cache.
struct ServerProcessMonitor: Sendable {
    let pid: Int32
    private(set) var cpuStart: Double?
    private(set) var peakWasReset = false
    private(set) var maxAnonymousKiB = 0
    private(set) var maxResidentKiB = 0

    init(pid: Int32) {
        self.pid = pid
    }

    /// At the start of the measured part: CPU zero point, and the kernel's peak-RSS mark reset so the peak is the run's.
    mutating func start() {
        cpuStart = ProcessCPUTime.seconds(pid: pid)
        peakWasReset = ProcessMemory.resetPeak(pid: pid)
        maxAnonymousKiB = 0
        maxResidentKiB = 0
    }

    /// One sample; returns RssAnon in KiB (nil once the process is gone).
    @discardableResult
    mutating func sample() -> Int? {
        guard let memory = ProcessMemory.current(pid: pid, peakWasReset: peakWasReset) else { return nil }
        maxAnonymousKiB = max(maxAnonymousKiB, memory.anonymousKiB)
        maxResidentKiB = max(maxResidentKiB, memory.residentKiB)
        return memory.anonymousKiB
    }

    func cpuSeconds() -> Double? {
        guard let cpuStart, let now = ProcessCPUTime.seconds(pid: pid) else { return nil }
        return now - cpuStart
    }
}
