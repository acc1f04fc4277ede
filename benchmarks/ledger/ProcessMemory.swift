import Foundation
import Glibc

/// The memory figures of /proc/self/status, in KiB. VmHWM is the peak resident set; RssAnon is heap and stacks,
/// RssFile mostly the LMDB map's pages that this process has touched (the page cache, shared and reclaimable).
struct ProcessMemory: Codable, Sendable {
    let peakResidentKiB: Int
    let residentKiB: Int
    let anonymousKiB: Int
    let fileBackedKiB: Int
    /// Whether the peak was reset at the start of the part that reports it (else it covers the whole process).
    let peakCoversThisPartOnly: Bool

    static func current(peakWasReset: Bool) -> ProcessMemory {
        let fields = statusFields()
        return ProcessMemory(peakResidentKiB: fields["VmHWM"] ?? -1, residentKiB: fields["VmRSS"] ?? -1,
                             anonymousKiB: fields["RssAnon"] ?? -1, fileBackedKiB: fields["RssFile"] ?? -1,
                             peakCoversThisPartOnly: peakWasReset)
    }

    /// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+), so each part reports its own peak
    /// rather than the largest of everything that ran before it. Returns false where the kernel refuses.
    static func resetPeak() -> Bool {
        releaseFreedHeap()  // what earlier parts freed would otherwise count as this part's
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Array("5".utf8))
            return true
        } catch {
            return false
        }
    }

    private static func statusFields() -> [String: Int] {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return [:] }
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            if let value { fields[String(parts[0])] = value }
        }
        return fields
    }

    /// glibc's malloc_trim(0), found at run time because the Glibc module does not export it.
    private static func releaseFreedHeap() {
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
    }
}
