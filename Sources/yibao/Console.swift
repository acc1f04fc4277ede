import Foundation

/// stdout for results, stderr for diagnostics, so `--json` output can be piped as it is.
enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Prints and flushes at once: streaming commands (feed, stream) must show each answer as it arrives.
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
