import YibaoLoadSupport
import Foundation

/// Every figure of one benchmark run, as the --json file holds it.
struct BenchmarkReport: Codable, Sendable {
    struct Ratios: Codable, Sendable {
        /// Group-commit records/s at batch 1000 (and at batch 1) over naive entries/s.
        let batch1000OverNaive: Double?
        let batch1OverNaive: Double?
    }

    var benchmark = "yibao-ledger-bench"
    let machine: MachineDescription
    let configuration: BenchmarkOptions
    var append: [AppendBenchmark.Result] = []
    var latency: AppendBenchmark.Result?
    var naive: NaiveAppendBenchmark.Result?
    var ratios: Ratios?
    var proof: ProofBenchmark.Result?
    var totalSeconds: Double = 0

    init(machine: MachineDescription, configuration: BenchmarkOptions) {
        self.machine = machine
        self.configuration = configuration
    }

    /// Failed submissions, look-ups that missed, proofs that did not verify: any of them fails the benchmark.
    var problems: [String] {
        var found: [String] = []
        for run in append + [latency].compactMap({ $0 }) {
            if run.failedRecords + run.failedBatches > 0 {
                found.append("batch \(run.batchSize): \(run.failedBatches) batches and \(run.failedRecords) records failed (first: \(run.firstFailure ?? "?"))")
            }
            if run.lookupFailures > 0 {
                found.append("batch \(run.batchSize): \(run.lookupFailures) of \(run.lookupChecks) receipts not found by hash")
            }
        }
        if let naive, naive.lookupFailures > 0 {
            found.append("naive: \(naive.lookupFailures) of \(naive.lookupChecks) hashes not found")
        }
        if let proof {
            if proof.buildFailures > 0 { found.append("proof build: \(proof.buildFailures) failures") }
            if proof.proofVerifyFailures > 0 { found.append("proof: \(proof.proofVerifyFailures) proofs did not verify") }
            if proof.lookupFailures > 0 { found.append("proof: \(proof.lookupFailures) look-ups by hash missed") }
        }
        return found
    }

    mutating func computeRatios() {
        guard let naive, naive.entriesPerSecond > 0 else { return }
        func over(_ batchSize: Int) -> Double? {
            append.first { $0.batchSize == batchSize }.map { $0.recordsPerSecond / naive.entriesPerSecond }
        }
        ratios = Ratios(batch1000OverNaive: over(1000), batch1OverNaive: over(1))
    }
}
