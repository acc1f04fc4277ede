import Foundation

/// Bytes this process handed to write(2)-family calls (`wchar` of /proc/self/io): for a ledger, the pages its
/// commits wrote, so a difference over a run divided by its operations is the write amplification per operation.
/// `write_bytes` is not used: with large folios the kernel charges whole folios for a 4 KiB page, overstating it.
public enum ProcessWrites {
    public static func bytes() -> UInt64? {
        guard let text = ProcFile.read("/proc/self/io") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
            return UInt64(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
