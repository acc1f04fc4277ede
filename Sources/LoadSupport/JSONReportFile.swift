import Foundation

/// A benchmark's figures as pretty, key-sorted JSON. The file's folder is created first, so a long run ending in
/// `--json benchmarks/results/<stamp>-<name>/summary.json` does not fail at its end on a missing folder.
public enum JSONReportFile {
    public static func write(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(value).write(to: url)
    }

    /// Writes it, or says on stderr why not (`tool` names the program) and exits with status 1.
    public static func writeOrExit(_ value: some Encodable, to path: String, tool: String) {
        do {
            try write(value, to: path)
        } catch {
            FileHandle.standardError.write(Data("\(tool): cannot write \(path): \(error)\n".utf8))
            exit(1)
        }
    }
}
