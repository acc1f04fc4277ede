import YibaoLoadSupport
import YibaoLedger

/// Group-commit throughput at one batch size, and the single-submitter latency run at batch size 1.
/// Timed: from the first submit to the last receipt, which covers the node's own work per batch (SM3 of every
/// entry, SM2 verification of the batch signature, the group commit with its fsync, tree-head signing).
/// Not timed: the client's signing (done beforehand), opening the ledger, shutting it down.
struct AppendBenchmark {
    let client: BenchmarkClient
    let scratch: ScratchFolder
    let lookupChecks: Int

    struct Result: Codable, Sendable {
        let batchSize: Int
        let concurrency: Int
        let records: Int
        /// Records plus one seal entry per batch: what the log grew by.
        let entriesAppended: UInt64
        let seconds: Double
        let recordsPerSecond: Double
        let entriesPerSecond: Double
        /// Process CPU (all threads) per record while the run was timed.
        let cpuMicrosecondsPerRecord: Double
        /// Submit → receipt, per batch.
        let submitLatency: LatencySummary
        /// Group commits during the run (one signed tree head each), and how many records each carried.
        let commits: Int
        let recordsPerCommit: Double
        let machineLoad: MachineLoad
        /// Bytes written per record, seals, Merkle nodes, heads and the hash-index merges included.
        let bytesWrittenPerRecord: ProcessWrites.PerUnit
        let warmupRecords: Int
        let signingSeconds: Double
        let failedRecords: Int
        let failedBatches: Int
        let firstFailure: String?
        let lookupChecks: Int
        let lookupFailures: Int
        let storeBytes: Int
    }

    /// `warmup` untimed records go first, so first-use costs (page faults, the first map pages) stay out of the figures.
    func run(batchSize: Int, records: Int, concurrency: Int, warmup: Int = 0, label: String) async throws -> Result {
        let signStart = MonotonicClock.nanoseconds()
        let warmupBatches = try client.signedBatches(records: warmup, batchSize: batchSize, run: "\(label)-warmup")
        let batches = try client.signedBatches(records: records, batchSize: batchSize, run: label)
        let signingSeconds = MonotonicClock.seconds(since: signStart)

        let subject = try await BenchmarkLedger(named: label, in: scratch, client: client)
        defer { subject.close() }
        let ledger = subject.ledger
        var warmupTally = SubmissionTally()
        if !warmupBatches.isEmpty {
            warmupTally = await SubmissionDriver.submit(count: warmupBatches.count, concurrency: concurrency, to: ledger) {
                warmupBatches[$0]
            }
        }

        let sizeBefore = ledger.treeSize
        let cpuBefore = ProcessCPUTime.seconds()
        let load = MachineLoad.Meter.start()
        let writesBefore = ProcessWrites.now()
        let start = MonotonicClock.nanoseconds()
        var tally = await SubmissionDriver.submit(count: batches.count, concurrency: concurrency, to: ledger) { batches[$0] }
        let seconds = MonotonicClock.seconds(since: start)
        let cpuSeconds = ProcessCPUTime.seconds() - cpuBefore
        let machineLoad = load.finish()
        let written = ProcessWrites.now().perUnit(since: writesBefore, units: records)
        let appended = ledger.treeSize - sizeBefore
        let commits = try Self.signedHeads(in: ledger, after: sizeBefore)

        let lookupFailures = SubmissionDriver.lookupFailures(of: tally.landed, sample: lookupChecks, in: ledger,
                                                             seed: UInt64(batchSize) &* 7919 &+ UInt64(records))
        tally.failedRecords += warmupTally.failedRecords
        tally.failedBatches += warmupTally.failedBatches
        return Result(batchSize: batchSize, concurrency: concurrency, records: records, entriesAppended: appended,
                      seconds: seconds, recordsPerSecond: Double(records) / seconds,
                      entriesPerSecond: Double(appended) / seconds,
                      cpuMicrosecondsPerRecord: cpuSeconds / Double(records) * 1e6,
                      submitLatency: tally.latency.summary, commits: commits,
                      recordsPerCommit: Double(records) / Double(max(1, commits)), machineLoad: machineLoad,
                      bytesWrittenPerRecord: written, warmupRecords: warmup, signingSeconds: signingSeconds,
                      failedRecords: tally.failedRecords, failedBatches: tally.failedBatches,
                      firstFailure: tally.firstFailure ?? warmupTally.firstFailure,
                      lookupChecks: tally.landed.isEmpty ? 0 : lookupChecks,
                      lookupFailures: lookupFailures, storeBytes: ledger.storeBytes)
    }

    /// Every commit signs the head of the tree it made, so stored heads count commits. The head of the very
    /// last commit may still be on its way to the store: the count can be one short.
    private static func signedHeads(in ledger: Ledger, after sizeBefore: UInt64) throws -> Int {
        let sizeAfter = ledger.treeSize
        guard sizeAfter > sizeBefore else { return 0 }
        var count = 0
        for size in (sizeBefore + 1)...sizeAfter where try ledger.treeHead(atSize: size) != nil { count += 1 }
        return count
    }
}
