import YibaoLedger

/// The command line, parsed by hand: a dozen flags do not justify a dependency.
struct BenchmarkOptions: Codable, Sendable {
    enum Part: String, Codable, CaseIterable, Sendable {
        case append, naive, proof
    }

    /// One group-commit throughput run: `records` records in batches of `batchSize`.
    struct AppendRun: Codable, Sendable {
        var batchSize: Int
        var records: Int
    }

    var parts: [Part] = Part.allCases
    // Sized so that the whole default run stays within about four minutes on 2 shared cores:
    // batch 1 is bound by one SM2 verification per record, the larger batches by the disk.
    var appendRuns = [AppendRun(batchSize: 1, records: 20_000), AppendRun(batchSize: 100, records: 1_000_000),
                      AppendRun(batchSize: 1000, records: 1_000_000)]
    var concurrency = 4
    var latencyRecords = 5_000
    var latencyWarmup = 200
    var naiveEntries = 5_000
    var proofEntries = 1_000_000
    var proofQueries = 100_000
    var lookupChecks = 1_000
    var payloadBytes = 512
    var parentDirectory = "/work"
    var jsonPath: String?
    var quick = false

    static let usage = """
        yibao-ledger-bench: group-commit append throughput and latency, the naive one-transaction-per-entry way
        side by side, and inclusion-proof / transaction look-up latency on a large tree. Everything fsyncs.

          --quick                  small sizes, a few seconds in all (smoke test)
          --only PART[,PART]       append, naive, proof (default: all three)
          --append-runs B:N[,B:N]  batch size B with N records in all (default 1:20000,100:1000000,1000:1000000)
          --concurrency C          concurrent submitters for the throughput runs (default 4)
          --latency-records N      batch-1 records of the single-submitter latency run (default 5000)
          --latency-warmup N       untimed records submitted before the latency run (default 200)
          --naive-entries N        entries of the naive run (default 5000)
          --proof-entries M        tree size for the proof benchmark (default 1000000; the target is set at 10000000)
          --proof-queries Q        inclusion proofs and look-ups to time (default 100000)
          --lookup-checks K        receipts looked up by hash after each append run (default 1000)
          --payload-bytes P        payload size of every record (default 512)
          --dir PATH               parent folder of the scratch data (default /work; must be a disk, not tmpfs)
          --json PATH              also write every figure as JSON
          --help
        """

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns nil for --help.
    static func parse(_ arguments: [String]) throws(UsageError) -> BenchmarkOptions? {
        var options = BenchmarkOptions()
        var quick = false
        var explicit: [(flag: String, apply: (inout BenchmarkOptions) -> Void)] = []
        var rest = arguments[...]

        func value(for flag: String) throws(UsageError) -> String {
            guard let next = rest.popFirst(), !next.hasPrefix("--") else { throw UsageError(description: "\(flag) needs a value") }
            return next
        }
        func count(_ text: String, _ flag: String, minimum: Int = 1) throws(UsageError) -> Int {
            guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= minimum else {
                throw UsageError(description: "\(flag): '\(text)' is not a whole number of at least \(minimum)")
            }
            return n
        }

        while let flag = rest.popFirst() {
            switch flag {
            case "--help", "-h": return nil
            case "--quick": quick = true
            case "--only":
                let text = try value(for: flag)
                var parts: [Part] = []
                for name in text.split(separator: ",") {
                    guard let part = Part(rawValue: String(name)) else {
                        throw UsageError(description: "--only: unknown part '\(name)'; use append, naive or proof")
                    }
                    parts.append(part)
                }
                explicit.append((flag, { $0.parts = parts }))
            case "--append-runs":
                let text = try value(for: flag)
                var runs: [AppendRun] = []
                for pair in text.split(separator: ",") {
                    let sides = pair.split(separator: ":")
                    guard sides.count == 2 else { throw UsageError(description: "--append-runs: '\(pair)' is not BATCH:RECORDS") }
                    let batch = try count(String(sides[0]), flag), records = try count(String(sides[1]), flag)
                    runs.append(AppendRun(batchSize: batch, records: records))
                }
                explicit.append((flag, { $0.appendRuns = runs }))
            case "--concurrency":
                let n = try count(try value(for: flag), flag)
                explicit.append((flag, { $0.concurrency = n }))
            case "--latency-records":
                let n = try count(try value(for: flag), flag)
                explicit.append((flag, { $0.latencyRecords = n }))
            case "--latency-warmup":
                let n = try count(try value(for: flag), flag, minimum: 0)
                explicit.append((flag, { $0.latencyWarmup = n }))
            case "--naive-entries":
                let n = try count(try value(for: flag), flag)
                explicit.append((flag, { $0.naiveEntries = n }))
            case "--proof-entries":
                let n = try count(try value(for: flag), flag, minimum: 3)
                explicit.append((flag, { $0.proofEntries = n }))
            case "--proof-queries":
                let n = try count(try value(for: flag), flag)
                explicit.append((flag, { $0.proofQueries = n }))
            case "--lookup-checks":
                let n = try count(try value(for: flag), flag, minimum: 0)
                explicit.append((flag, { $0.lookupChecks = n }))
            case "--payload-bytes":
                let n = try count(try value(for: flag), flag)
                explicit.append((flag, { $0.payloadBytes = n }))
            case "--dir":
                let path = try value(for: flag)
                explicit.append((flag, { $0.parentDirectory = path }))
            case "--json":
                let path = try value(for: flag)
                explicit.append((flag, { $0.jsonPath = path }))
            default:
                throw UsageError(description: "unknown flag '\(flag)'\n\n\(usage)")
            }
        }
        // --quick sets small sizes first, so explicit flags given with it still win.
        if quick { options.shrinkForSmokeTest() }
        for (_, apply) in explicit { apply(&options) }
        try options.validate()
        return options
    }

    private mutating func shrinkForSmokeTest() {
        quick = true
        appendRuns = [AppendRun(batchSize: 1, records: 500), AppendRun(batchSize: 100, records: 10_000),
                      AppendRun(batchSize: 1000, records: 20_000)]
        latencyRecords = 300
        latencyWarmup = 20
        naiveEntries = 300
        proofEntries = 20_000
        proofQueries = 5_000
        lookupChecks = 200
    }

    private func validate() throws(UsageError) {
        let limits = LedgerConfiguration()
        for run in appendRuns where run.batchSize > limits.maxRecordsPerBatch {
            throw UsageError(description: "--append-runs: batch size \(run.batchSize) is above the ledger's limit of \(limits.maxRecordsPerBatch)")
        }
        // Keep one batch's queue share well inside the writer's queue, or submissions fail as overloaded.
        for run in appendRuns where run.batchSize * concurrency > limits.queueCapacityRecords {
            throw UsageError(description: "batch size \(run.batchSize) × concurrency \(concurrency) overflows the write queue (\(limits.queueCapacityRecords) records)")
        }
    }
}
