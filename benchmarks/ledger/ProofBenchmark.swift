import YibaoLoadSupport
import YibaoCrypto
import YibaoLedger

/// Inclusion-proof and transaction look-up latency on a large tree. The tree is built first (batches of 1000,
/// signed by the submitters as they go, so the build time includes the client's signing), then proofs at random
/// indexes are timed one call at a time on this one thread. The store was just written, so it is mostly in the
/// page cache; the page faults reported with each figure say how far that held.
struct ProofBenchmark {
    let client: BenchmarkClient
    let scratch: ScratchFolder
    let concurrency: Int

    static let buildBatchSize = 1000

    struct Result: Codable, Sendable {
        let treeSize: UInt64
        let buildSeconds: Double
        let buildEntriesPerSecond: Double
        let buildFailures: Int
        /// What the build wrote per entry: it grows with the tree as the hash-index merges grow.
        let buildBytesWrittenPerEntry: ProcessWrites.PerUnit
        let queries: Int
        let proofLatency: LatencySummary
        let proofPageFaults: PageFaults
        let meanPathLength: Double
        /// Proofs checked against the root (a sample, untimed) that did not verify.
        let proofsVerified: Int
        let proofVerifyFailures: Int
        let lookupLatency: LatencySummary
        let lookupPageFaults: PageFaults
        let lookupFailures: Int
        let storeBytes: Int
        let memory: ProcessMemory
        /// Over the timed proofs and look-ups (not the build).
        let machineLoad: MachineLoad
    }

    func run(entries target: Int, queries: Int) async throws -> Result {
        let peakWasReset = ProcessMemory.resetPeak()
        let subject = try await BenchmarkLedger(named: "proof", in: scratch, client: client)
        defer { subject.close() }
        let ledger = subject.ledger

        let writesBefore = ProcessWrites.now()
        let (buildSeconds, buildFailures) = await build(ledger, toSize: target)
        let size = ledger.treeSize
        let buildWrites = ProcessWrites.now().perUnit(since: writesBefore, units: Int(size))
        print("  built a tree of \(size) entries in \(Format.seconds(buildSeconds))"
              + " (\(Format.rate(Double(size) / buildSeconds)) entries/s, client signing included)")

        var random = SplitMix64(seed: 9162)
        let proofIndexes = (0..<queries).map { _ in UInt64.random(in: 0..<size, using: &random) }
        let load = MachineLoad.Meter.start()
        var proofLatency = LatencyRecorder()
        var pathNodes = 0
        let proofFaults = PageFaults.Meter.start()
        for index in proofIndexes {
            let start = MonotonicClock.nanoseconds()
            let proof = try ledger.inclusionProof(index: index, treeSize: size)
            proofLatency.record(nanoseconds: MonotonicClock.nanoseconds() - start)
            pathNodes += proof.path.count
        }
        let proofPageFaults = proofFaults.finish()
        // Hashes are read before the clock starts; only the look-up by hash is timed.
        let lookupIndexes = (0..<queries).map { _ in UInt64.random(in: 0..<size, using: &random) }
        let hashes = try lookupIndexes.map { try ledger.entry(at: $0).leafHash }
        var lookupLatency = LatencyRecorder()
        var lookupFailures = 0
        let lookupFaults = PageFaults.Meter.start()
        for (hash, index) in zip(hashes, lookupIndexes) {
            let start = MonotonicClock.nanoseconds()
            let found = try ledger.index(ofTransaction: hash)
            lookupLatency.record(nanoseconds: MonotonicClock.nanoseconds() - start)
            if found != index { lookupFailures += 1 }
        }
        let lookupPageFaults = lookupFaults.finish()
        let machineLoad = load.finish()
        let (verified, verifyFailures) = try verifySample(of: proofIndexes.prefix(1000), in: ledger, size: size)

        let result = Result(treeSize: size, buildSeconds: buildSeconds, buildEntriesPerSecond: Double(size) / buildSeconds,
                      buildFailures: buildFailures, buildBytesWrittenPerEntry: buildWrites, queries: queries, proofLatency: proofLatency.summary,
                      proofPageFaults: proofPageFaults,
                      meanPathLength: Double(pathNodes) / Double(queries), proofsVerified: verified,
                      proofVerifyFailures: verifyFailures, lookupLatency: lookupLatency.summary, lookupPageFaults: lookupPageFaults,
                      lookupFailures: lookupFailures, storeBytes: ledger.storeBytes,
                      memory: ProcessMemory.current(peakWasReset: peakWasReset)!, machineLoad: machineLoad)
        // The full check reads every entry: only on trees small enough for it to finish in a benchmark's time.
        for (mode, duration) in try subject.startChecks(size <= 2_000_000 ? [.off, .quick, .full] : [.off, .quick]) {
            print("  start check on reopening this tree: \(mode.rawValue) \(duration)")
        }
        return result
    }

    /// Appends batches of 1000 records until the tree holds at least `target` entries (each batch adds a seal).
    private func build(_ ledger: Ledger, toSize target: Int) async -> (seconds: Double, failures: Int) {
        let perBatch = Self.buildBatchSize + 1
        let missing = max(0, target - Int(ledger.treeSize))
        let batchCount = (missing + perBatch - 1) / perBatch
        let client = self.client
        let start = MonotonicClock.nanoseconds()
        let tally = await SubmissionDriver.submit(count: batchCount, concurrency: concurrency, to: ledger,
                                                    keepReceipts: false) { number in
            if number > 0, number % 1000 == 0 {
                Progress.note("built \(number * perBatch) of \(target) entries")
            }
            return try client.batch(number: number, size: Self.buildBatchSize, recordsBefore: number * Self.buildBatchSize,
                                    run: "proof-build")
        }
        if let failure = tally.firstFailure { Progress.note("build failure: \(failure)") }
        return (MonotonicClock.seconds(since: start), tally.failures)
    }

    /// Checks proofs against the root at `size`, the way a client holding a signed tree head would.
    private func verifySample(of indexes: ArraySlice<UInt64>, in ledger: Ledger, size: UInt64) throws -> (Int, Int) {
        let root = try ledger.root(atSize: size)
        var failures = 0
        for index in indexes {
            let proof = try ledger.inclusionProof(index: index, treeSize: size)
            if !proof.verify(leafHash: try ledger.entry(at: index).leafHash, root: root) { failures += 1 }
        }
        return (indexes.count, failures)
    }
}
