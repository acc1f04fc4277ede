import Foundation

/// A long-running child process (a node, a Python server) owned by a test. Start it with `withRunningChild`,
/// which stops and reaps it however the body ends: returned, threw, a failed `#require`, cancelled. Stopping is
/// bounded: the stop signal, a grace period, then SIGKILL.
public final class RunningChild: Sendable {
    private let process: Process
    private let files: ChildOutputFiles

    public var pid: pid_t { process.processIdentifier }
    /// False once the child has exited and Foundation has reaped it (waitpid).
    public var isRunning: Bool { process.isRunning }
    /// What it printed so far.
    public var stdout: String { files.currentStdout }
    public var stderr: String { files.currentStderr }

    /// Starts `executable` with its output going to files. `environment`: nil inherits this process's.
    init(_ executable: String, _ arguments: [String], environment: [String: String]?, directory: String?) throws {
        files = try ChildOutputFiles()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        do {
            process.standardOutput = try FileHandle(forWritingTo: files.stdout)
            process.standardError = try FileHandle(forWritingTo: files.stderr)
            try process.run()
        } catch {
            files.remove()
            throw error
        }
    }

    /// Sends `signal` (if it still runs), waits up to `grace` for it to exit, then SIGKILLs it and waits again.
    /// Returns the exit status, or nil if it could not be reaped (not expected: SIGKILL cannot be ignored).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(10)) async -> Int32? {
        if process.isRunning { kill(pid, signal) }
        if await waitForExit(within: grace) { return process.terminationStatus }
        if process.isRunning { kill(pid, SIGKILL) }  // not after it was reaped: the pid may be someone else's by then
        return await waitForExit(within: .seconds(30)) ? process.terminationStatus : nil
    }

    /// Whether it exited (and was reaped) within `limit`. Polls: Foundation reaps the child on its own thread.
    public func waitForExit(within limit: Duration) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + limit
        while process.isRunning {
            if clock.now >= end { return false }
            // A cancelled task still waits out the child (bounded), so that it never outlives the test.
            do { try await Task.sleep(for: .milliseconds(20)) } catch { usleep(20_000) }
        }
        return true
    }

    func removeOutput() { files.remove() }
}

/// Runs `body` with `executable` running as a child process; afterwards (also when `body` throws) the child is
/// stopped with `stopSignal`, SIGKILLed after `grace` if it is still there, and reaped; its output files are removed.
@discardableResult
public func withRunningChild<Result>(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
    stopSignal: Int32 = SIGTERM, grace: Duration = .seconds(10),
    _ body: (RunningChild) async throws -> Result) async throws -> Result {
    let child = try RunningChild(executable, arguments, environment: environment, directory: directory)
    do {
        let result = try await body(child)
        await child.stop(signal: stopSignal, grace: grace)
        child.removeOutput()
        return result
    } catch {
        await child.stop(signal: stopSignal, grace: grace)
        child.removeOutput()
        throw error
    }
}
