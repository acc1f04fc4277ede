import Foundation
import YibaoLoadSupport

/// Every figure of one run, as `--json PATH` writes it: the summary a results folder keeps (benchmarks/README.md,
/// "Results policy"). The same figures as the lines on stdout, with the machine, the commit and the options.
struct DomainReport: Encodable {
    struct Options: Encodable {
        let invoices, hospitals, batchSize, concurrency, window, groupCommitMaxRecords: Int
        let schedule: String
    }

    /// One phase (issue, upload, lock, entry) or, with `--schedule stream`, the whole stream.
    struct Part: Encodable {
        struct Latency: Encodable {
            let p50Millis, p99Millis: Double
        }

        let name: String
        let batches, operations, failures, sentAgainAfterOverloaded: Int
        let seconds, operationsPerSecond, signingSeconds: Double
        /// Batch latency by kind (issue, upload, lock, entry).
        let batchLatency: [String: Latency]
        let dependencyWaits: Int
        let dependencyWaitSeconds: Double
        let cost: RunCost.Figures

        init(name: String, batches: Int, tally: StepTally, cost: RunCost, signNanos: UInt64) {
            self.name = name
            self.batches = batches
            operations = tally.landed + tally.failed
            failures = tally.failed
            sentAgainAfterOverloaded = tally.overloadRetries
            seconds = cost.seconds
            operationsPerSecond = Double(operations) / cost.seconds
            signingSeconds = Double(signNanos) / 1e9
            var latency: [String: Latency] = [:]
            for kind in HospitalMix.Kind.allCases {
                if let (p50, p99) = tally.percentiles(kind) { latency[kind.name] = Latency(p50Millis: p50, p99Millis: p99) }
            }
            batchLatency = latency
            dependencyWaits = tally.waits
            dependencyWaitSeconds = Double(tally.waitedNanos) / 1e9
            self.cost = cost.figures(operations: operations)
        }
    }

    let benchmark = "yibao-domain-bench"
    let machine: MachineDescription
    let options: Options
    var parts: [Part] = []
    var operations = 0, failures = 0
    var timedSeconds = 0.0, operationsPerSecond = 0.0
    /// After `malloc_trim`, so the ledger's live heap; the peak includes a window of signed batches and LMDB pages.
    var rssAnonMiB = 0, peakResidentMiB = 0
    var storeMiB = 0, storeBytesPerInvoice = 0
    var elapsedSeconds = 0.0

    init(machine: MachineDescription, options: Options) {
        self.machine = machine
        self.options = options
    }
}
