import Foundation
import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoLoadSupport

// yibao-domain-bench: the realistic hospital mix on a durable ledger with InvoiceSettlementRules.
// Batches of 1,000: the invoice platform issues invoices (carrying setl_id), the hospitals upload their
// settlements (linked automatically), and a bureau locks and records entry for half of them (`HospitalMix`).
// Keys as in real life: invoice numbers and setl_ids sequential per hospital, 300 hospitals interleaved,
// persons random (valid GB 11643 numbers). Batches are signed off the clock, a window at a time.
// The targets are set at 10 million invoices (benchmarks/README.md, "Targets"): pass --invoices 10000000.

let usage = """
    usage: yibao-domain-bench [--invoices N] [--concurrency C] [--schedule stream|phases] [--window W]
                              [--group-records G] [--quick] [--dir PATH] [--keep] [--json PATH]
      --invoices N     invoices to issue (default 200000; the targets are set at 10000000)
      --concurrency C  concurrent senders (default 4)
      --schedule S     phases (default): every issue, then every upload, every lock, every entry, each kind
                       drained before the next (figures per kind); stream: all four kinds in one stream, as a day's
                       traffic arrives, each lock and entry sent once what it depends on is acknowledged
      --window W       batches signed ahead, off the clock (default 256); each window drains before the next
      --group-records G  most records per group commit (default: the ledger's, LedgerConfiguration)
      --quick          10000 invoices
      --dir PATH       parent folder of the scratch ledger, on a disk (default /work)
      --keep           keep the ledger folder afterwards (for mdb_stat -a, yibao verify)
      --json PATH      also write every figure, the machine, the commit and the options as JSON (a results
                       folder's summary.json: benchmarks/README.md, "Results policy")
    """

var invoiceCount = 200_000
var concurrency = 4
var streamed = false
var window = 256
var keepStore = false
var groupRecords: Int?
var parent = "/work"
var jsonPath: String?
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { print(usage); exit(2) }
        return arguments.removeFirst()
    }
    func count() -> Int {
        guard let n = Int(value()), n > 0 else { print(usage); exit(2) }
        return n
    }
    switch flag {
    case "--invoices": invoiceCount = count()
    case "--concurrency": concurrency = count()
    case "--schedule":
        switch value() {
        case "stream": streamed = true
        case "phases": streamed = false
        default: print(usage); exit(2)
        }
    case "--window": window = count()
    case "--group-records": groupRecords = count()
    case "--quick": invoiceCount = 10_000
    case "--dir": parent = value()
    case "--keep": keepStore = true
    case "--json": jsonPath = value()
    case "-h", "--help": print(usage); exit(0)
    default: print(usage); exit(2)
    }
}

let mix = HospitalMix(invoices: invoiceCount, hospitals: 300, seed: 11643)

/// RssAnon in MiB, read now.
func anonymousMiB() -> Int { (ProcessMemory.current(peakWasReset: false)?.anonymousKiB ?? -1) / 1024 }

/// A line to stdout, unbuffered, so a long run's progress shows at once when stdout is a file.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }


let folder = "\(parent)/yibao-domain-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { if !keepStore { try? FileManager.default.removeItem(atPath: folder) } }
var configuration = InvoiceSettlementService.configuration()
if let groupRecords { configuration.groupCommitMaxRecords = groupRecords }
let ledger = try Ledger(directory: folder, nodeKey: SM2PrivateKey(), configuration: configuration)
var keys: [String: SM2PrivateKey] = [:]
@MainActor func register(_ org: String, _ role: String) async throws {
    let key = SM2PrivateKey()
    keys[org] = key
    try await ledger.registerOrg(code: org, role: role, publicKey: key.publicKey)
}
try await register(SyntheticWorkload.platformOrg, DomainCaller.roleName(.invoicePlatform))
try await register(SyntheticWorkload.bureauOrg, DomainCaller.roleName(.insuranceBureau, region: SyntheticWorkload.bureauRegion))
for h in 0..<mix.hospitalCount { try await register(SyntheticWorkload.hospitalCode(h), DomainCaller.roleName(.hospital)) }

say("yibao-domain-bench: \(invoiceCount) invoices, \(mix.hospitalCount) hospitals, batch \(HospitalMix.batchSize), "
    + "concurrency \(concurrency), schedule \(streamed ? "stream" : "phases"), window \(window), group commits of at most "
    + "\(configuration.groupCommitMaxRecords) records, durable (fsync), \(ProcessInfo.processInfo.activeProcessorCount) cores")
let runStart = MonotonicClock.nanoseconds()
var requestCounter = 0
@MainActor func sign(_ step: HospitalMix.Step) throws -> SignedBatch {
    requestCounter += 1
    let (org, records) = mix.batch(step)
    return try SignedBatch.signing(org: org, requestId: "\(org)-\(requestCounter)", records: records, key: keys[org]!)
}

var report = DomainReport(
    machine: .current(dataFilesystem: "not checked; data under \(parent)"),
    options: .init(invoices: invoiceCount, hospitals: mix.hospitalCount, batchSize: HospitalMix.batchSize,
                   concurrency: concurrency, window: window, groupCommitMaxRecords: configuration.groupCommitMaxRecords,
                   schedule: streamed ? "stream" : "phases"))
let runner = StepRunner(ledger: ledger, concurrency: concurrency, mix: mix, latch: CompletionLatch())
var totalOps = 0, totalFailed = 0, timedNanos: UInt64 = 0

/// Sends `steps` in order, a window at a time: each window is signed off the clock, then sent and drained, so that a
/// 10-million-invoice run never holds more than one window of batches in memory. Every 8 windows a progress line.
@MainActor func send(_ name: String, _ steps: [HospitalMix.Step]) async throws -> (tally: StepTally, cost: RunCost, signNanos: UInt64) {
    var tally = StepTally(), cost = RunCost(), signNanos: UInt64 = 0, windows = 0
    var next = 0
    while next < steps.count {
        let end = min(steps.count, next + window)
        let signStart = MonotonicClock.nanoseconds()
        var batches = try steps[next..<end].map { ($0, try sign($0)) }
        signNanos += MonotonicClock.nanoseconds() - signStart
        let sent = try await cost.measure { try await runner.run(batches) }
        batches = []
        tally.add(sent)
        next = end
        windows += 1
        if windows % 8 == 0 {
            ProcessMemory.releaseFreedHeap()
            FileHandle.standardError.write(Data(String(
                format: "  %@: %d of %d batches, %.0f ops/s so far; store %d MiB, RssAnon %d MiB (window released, malloc_trim)\n",
                name as NSString, next, steps.count, Double(tally.landed + tally.failed) / cost.seconds,
                ledger.storeBytes / 1_048_576, anonymousMiB()).utf8))
        }
    }
    timedNanos += cost.nanos
    totalOps += tally.landed + tally.failed
    totalFailed += tally.failed
    return (tally, cost, signNanos)
}

if streamed {
    // Each lock comes this many issue batches after its invoices' batch: about the issue batches in flight at once.
    let kinds = HospitalMix.Kind.allCases
    let totalBatches = kinds.map(mix.count).reduce(0, +)
    let lag = 1 + (concurrency * mix.count(.issue) + totalBatches - 1) / max(1, totalBatches)
    let steps = mix.streamOrder(lag: lag)
    let (tally, cost, signNanos) = try await send("stream", steps)
    let ops = tally.landed + tally.failed
    say(String(format: "stream   %7d batches %9d ops %8.1f s %9.0f ops/s  failures %d  (signing %.1f s, untimed)",
               steps.count, ops, cost.seconds, Double(ops) / cost.seconds, tally.failed, Double(signNanos) / 1e9))
    let latencies = kinds.compactMap { kind in
        tally.percentiles(kind).map { String(format: "%@ %.1f / %.1f", kind.name as NSString, $0.p50, $0.p99) }
    }
    say("         batch p50 / p99 ms: " + latencies.joined(separator: ", ")
        + String(format: "; %d batches waited for a dependency (%.1f s in all); lock lag %d issue batches",
                 tally.waits, Double(tally.waitedNanos) / 1e9, lag)
        + "; \(tally.overloadRetries) sent again after \"overloaded\"")
    say(cost.line(operations: ops))
    report.parts.append(.init(name: "stream", batches: steps.count, tally: tally, cost: cost, signNanos: signNanos))
} else {
    for kind in HospitalMix.Kind.allCases {
        let (tally, cost, signNanos) = try await send(kind.name, (0..<mix.count(kind)).map { HospitalMix.Step(kind: kind, number: $0) })
        let ops = tally.landed + tally.failed
        let (p50, p99) = tally.percentiles(kind) ?? (0, 0)
        say(String(
            format: "%-8@ %7d batches %9d ops %8.1f s %9.0f ops/s  batch p50 %6.1f ms p99 %6.1f ms  failures %d  "
                + "(signing %.1f s, untimed; %d sent again after \"overloaded\")",
            kind.name as NSString, mix.count(kind), ops, cost.seconds, Double(ops) / cost.seconds, p50, p99,
            tally.failed, Double(signNanos) / 1e9, tally.overloadRetries))
        say(cost.line(operations: ops))
        report.parts.append(.init(name: kind.name, batches: mix.count(kind), tally: tally, cost: cost, signNanos: signNanos))
    }
}

// The pre-signed batches are gone; hand their freed pages back so RssAnon is the ledger's live heap, not malloc's cache.
ProcessMemory.releaseFreedHeap()
let status = ProcessMemory.current(peakWasReset: false)
report.operations = totalOps
report.failures = totalFailed
report.timedSeconds = Double(timedNanos) / 1e9
report.operationsPerSecond = Double(totalOps) / report.timedSeconds
report.rssAnonMiB = (status?.anonymousKiB ?? -1) / 1024
report.peakResidentMiB = (status?.peakResidentKiB ?? -1) / 1024
report.storeMiB = ledger.storeBytes / 1_048_576
report.storeBytesPerInvoice = ledger.storeBytes / max(invoiceCount, 1)
report.elapsedSeconds = Double(MonotonicClock.nanoseconds() - runStart) / 1e9
say(String(format: "total    %d business ops in %.1f s timed: %.0f ops/s; failures %d", totalOps, report.timedSeconds,
           report.operationsPerSecond, totalFailed))
say("memory   RssAnon \(report.rssAnonMiB) MiB, peak RSS (VmHWM) \(report.peakResidentMiB) MiB (after malloc_trim; the peak includes a window of signed batches and the LMDB pages touched)")
say("store    \(report.storeMiB) MiB (\(report.storeBytesPerInvoice) bytes per invoice)")
say(String(format: "elapsed  %.1f s wall, signing included", report.elapsedSeconds))
ledger.shutdown()
if keepStore { say("kept     \(folder)") } else { try? FileManager.default.removeItem(atPath: folder) }
if let jsonPath {
    JSONReportFile.writeOrExit(report, to: jsonPath, tool: "yibao-domain-bench")
    say("json     \(jsonPath)")
}
exit(totalFailed == 0 ? 0 : 1)
