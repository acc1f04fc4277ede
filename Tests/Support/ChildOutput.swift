/// What a finished child process printed and how it ended.
public struct ChildOutput: Sendable, CustomStringConvertible {
    /// The exit status (the signal number when a signal ended it; 124 when `timeout` stopped it).
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}
