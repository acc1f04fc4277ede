/// This process's writes from /proc/self/io: `written` (`wchar`) is what its write calls handed the kernel (LMDB
/// writes every dirty page of a commit with pwrite), `toStorage` (`write_bytes`) what the kernel charged to the disk
/// layer. Divided by the records of a run they give the write amplification. `toStorage` overstates on kernels that
/// charge a whole large folio for a 4 KiB page, so `written` is the figure to compare.
public struct ProcessWrites: Sendable {
    public let written: Int
    public let toStorage: Int

    public static func now() -> ProcessWrites {
        let fields = ProcFile.fields("/proc/self/io")
        return ProcessWrites(written: fields["wchar"] ?? 0, toStorage: fields["write_bytes"] ?? 0)
    }

    /// Bytes per unit (record or entry) since `start`.
    public struct PerUnit: Codable, Sendable {
        public let written: Double
        public let toStorage: Double
    }

    public func perUnit(since start: ProcessWrites, units: Int) -> PerUnit {
        let n = Double(max(1, units))
        return PerUnit(written: Double(written - start.written) / n, toStorage: Double(toStorage - start.toStorage) / n)
    }
}
