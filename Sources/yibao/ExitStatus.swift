/// The CLI's exit codes (README "CLI exit codes"); scripts branch on them.
enum ExitStatus: Int32 {
    case ok = 0
    /// The call failed with a gRPC status (its code name and message are printed), or the operation could not run.
    case failed = 1
    /// The command line or the request JSON is wrong.
    case usage = 2
    /// An offline check found the data, proof or signature not as claimed.
    case verificationFailed = 3
    /// The node could not be reached (connection refused, TLS handshake failed, timeout connecting).
    case connectionFailed = 4
    /// A batch write was answered, but at least one of its records was refused (each with its own status).
    case recordsRefused = 5
}

/// An outcome other than success, with what to print on stderr.
struct CLIFailure: Error {
    let status: ExitStatus
    let message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }
}
