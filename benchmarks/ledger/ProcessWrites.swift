import Foundation

/// This process's writes from /proc/self/io: `written` is what its write calls handed the kernel (LMDB writes every
/// dirty page of a commit with pwrite), `toStorage` what it sent on to the disk layer. Divided by the records of a
/// run they give the write amplification: the bytes each 512-byte record costs the disk.
struct ProcessWrites: Sendable {
    let written: Int
    let toStorage: Int

    static func now() -> ProcessWrites {
        var fields: [String: Int] = [:]
        let text = (try? String(contentsOfFile: "/proc/self/io", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1].trimmingCharacters(in: .whitespaces)) {
                fields[String(parts[0])] = value
            }
        }
        return ProcessWrites(written: fields["wchar"] ?? 0, toStorage: fields["write_bytes"] ?? 0)
    }

    /// Bytes per unit (record or entry) since `start`.
    struct PerUnit: Codable, Sendable {
        let written: Double
        let toStorage: Double
    }

    func perUnit(since start: ProcessWrites, units: Int) -> PerUnit {
        let n = Double(max(1, units))
        return PerUnit(written: Double(written - start.written) / n, toStorage: Double(toStorage - start.toStorage) / n)
    }
}
