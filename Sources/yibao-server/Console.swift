import Foundation

/// Text for the operator, apart from the structured log lines on stderr.
enum Console {
    /// A block on stdout, flushed at once (a terminal or a test reading the pipe sees it while the node runs).
    static func banner(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
