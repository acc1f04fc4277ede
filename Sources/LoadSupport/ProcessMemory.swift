#if canImport(CGlibcMalloc)
import CGlibcMalloc
#endif
import Foundation
import Glibc

/// The memory figures of /proc/<pid>/status, in KiB. VmHWM is the peak resident set; RssAnon is heap and stacks,
/// RssFile mostly the LMDB map's pages that the process has touched (the page cache, shared and reclaimable).
public struct ProcessMemory: Codable, Sendable {
    public let peakResidentKiB: Int
    public let residentKiB: Int
    public let anonymousKiB: Int
    public let fileBackedKiB: Int
    /// Whether the peak was reset at the start of the part that reports it (else it covers the whole process).
    public let peakCoversThisPartOnly: Bool

    /// This process, or another local one (`pid`); nil when that process is gone.
    public static func current(pid: Int32? = nil, peakWasReset: Bool) -> ProcessMemory? {
        let fields = ProcFile.fields(pid.map { "/proc/\($0)/status" } ?? "/proc/self/status")
        guard let resident = fields["VmRSS"] else { return nil }
        return ProcessMemory(peakResidentKiB: fields["VmHWM"] ?? -1, residentKiB: resident,
                             anonymousKiB: fields["RssAnon"] ?? -1, fileBackedKiB: fields["RssFile"] ?? -1,
                             peakCoversThisPartOnly: peakWasReset)
    }

    /// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+), so each part reports its own peak
    /// rather than the largest of everything that ran before it. Returns false where the kernel refuses.
    /// For this process, freed heap is returned first; another process's peak is reset as it stands.
    public static func resetPeak(pid: Int32? = nil) -> Bool {
        if pid == nil { releaseFreedHeap() }  // what earlier parts freed would otherwise count as this part's
        let path = pid.map { "/proc/\($0)/clear_refs" } ?? "/proc/self/clear_refs"
        guard let handle = FileHandle(forWritingAtPath: path) else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Array("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// glibc's malloc_trim(0) (through CGlibcMalloc, as the transport calls it): hands freed heap back, so
    /// RssAnon is the live heap rather than malloc's cache.
    public static func releaseFreedHeap() {
        #if canImport(CGlibcMalloc)
        _ = malloc_trim(0)
        #endif
    }
}
