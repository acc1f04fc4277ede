import Foundation
import YibaoLedger
import YibaoLoadSupport

/// Where a run's time went: the two serial threads' own CPU (the writer applies, the committer replays into LMDB and
/// waits for the disk), the whole process's CPU (admission runs in parallel on the senders' threads), and the bytes
/// commits wrote. `measure` reads them before and after a run and adds the difference, so one value sums runs.
struct RunCost {
    var nanos: UInt64 = 0
    var writerSeconds = 0.0, committerSeconds = 0.0, processSeconds = 0.0
    var writtenBytes = 0

    /// Runs `body` and adds what it cost.
    mutating func measure<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async rethrows -> T {
        let writer = ProcessCPUTime.seconds(threadsNamed: Ledger.writerThreadName) ?? 0
        let committer = ProcessCPUTime.seconds(threadsNamed: Ledger.committerThreadName) ?? 0
        let process = ProcessCPUTime.seconds()
        let writes = ProcessWrites.now()
        let start = MonotonicClock.nanoseconds()
        let result = try await body()
        nanos += MonotonicClock.nanoseconds() - start
        writerSeconds += (ProcessCPUTime.seconds(threadsNamed: Ledger.writerThreadName) ?? 0) - writer
        committerSeconds += (ProcessCPUTime.seconds(threadsNamed: Ledger.committerThreadName) ?? 0) - committer
        processSeconds += ProcessCPUTime.seconds() - process
        writtenBytes += ProcessWrites.now().written - writes.written
        return result
    }

    var seconds: Double { Double(nanos) / 1e9 }

    /// Per operation and per second of the run: what the line prints and `--json` keeps.
    struct Figures: Codable {
        let writerMicrosPerOperation, writerBusy, committerMicrosPerOperation, committerBusy: Double
        let processMicrosPerOperation, processCores, writtenKiBPerOperation: Double
    }

    func figures(operations: Int) -> Figures {
        let ops = Double(max(1, operations))
        return Figures(writerMicrosPerOperation: writerSeconds * 1e6 / ops, writerBusy: writerSeconds / seconds,
                       committerMicrosPerOperation: committerSeconds * 1e6 / ops, committerBusy: committerSeconds / seconds,
                       processMicrosPerOperation: processSeconds * 1e6 / ops, processCores: processSeconds / seconds,
                       writtenKiBPerOperation: Double(writtenBytes) / 1024 / ops)
    }

    /// The line under a run: CPU per operation of each part, its busy share, and the bytes written per operation.
    func line(operations: Int) -> String {
        let f = figures(operations: operations)
        return String(
            format: "         CPU per op: writer %.1f µs (%.0f %% busy), committer %.1f µs (%.0f %% busy), process %.1f µs (%.2f cores); %.1f KiB written per op",
            f.writerMicrosPerOperation, 100 * f.writerBusy, f.committerMicrosPerOperation, 100 * f.committerBusy,
            f.processMicrosPerOperation, f.processCores, f.writtenKiBPerOperation)
    }
}
