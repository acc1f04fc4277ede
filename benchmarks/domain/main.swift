import Foundation
import Histogram
import YibaoCrypto
import YibaoDomain
import YibaoLoadSupport

// yibao-domain-bench: the issue's "realistic hospital mix" on a durable ledger with InvoiceSettlementRules.
// Batches of 1,000: the invoice platform issues invoices (carrying setl_id), the hospitals upload their
// settlements (linked automatically), then a bureau locks and records entry for half of them.
// Keys as in real life: invoice numbers and setl_ids sequential per hospital, 300 hospitals interleaved,
// persons random (valid GB 11643 numbers). Batches are signed off the clock, a window at a time.
// The issue asks for figures at 10 million invoices: pass --invoices 10000000 (default 200,000).

let usage = """
    usage: yibao-domain-bench [--invoices N] [--concurrency C] [--group-records G] [--quick] [--dir PATH] [--keep]
      --invoices N     invoices to issue (default 200000; the issue asks for figures at 10000000)
      --concurrency C  concurrent submitters (default 4)
      --group-records G  most records per group commit (default: the ledger's, LedgerConfiguration)
      --quick          10000 invoices
      --dir PATH       parent folder of the scratch ledger, on a disk (default /work)
      --keep           keep the ledger folder afterwards (for mdb_stat -a, yibao verify)
    """

var invoiceCount = 200_000
var concurrency = 4
var keepStore = false
var groupRecords: Int?
var parent = "/work"
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { print(usage); exit(2) }
        return arguments.removeFirst()
    }
    switch flag {
    case "--invoices": guard let n = Int(value()), n > 0 else { print(usage); exit(2) }; invoiceCount = n
    case "--concurrency": guard let n = Int(value()), n > 0 else { print(usage); exit(2) }; concurrency = n
    case "--group-records": guard let n = Int(value()), n > 0 else { print(usage); exit(2) }; groupRecords = n
    case "--quick": invoiceCount = 10_000
    case "--dir": parent = value()
    case "--keep": keepStore = true
    case "-h", "--help": print(usage); exit(0)
    default: print(usage); exit(2)
    }
}

let batchSize = 1_000
let hospitalCount = 300
let platform = SyntheticWorkload.platformOrg
let bureau = SyntheticWorkload.bureauOrg
let workload = SyntheticWorkload(hospitals: hospitalCount, seed: 11643)
func hospital(_ h: Int) -> String { SyntheticWorkload.hospitalCode(h) }

/// Invoice i belongs to hospital i % 300, as that hospital's (i / 300)-th invoice and settlement.
func pair(_ i: Int) -> (Invoice, Settlement) {
    workload.visit(i)
}

/// RssAnon in MiB, read now.
func anonymousMiB() -> Int { (ProcessMemory.current(peakWasReset: false)?.anonymousKiB ?? -1) / 1024 }


/// A line to stdout, unbuffered, so a long run's progress shows at once when stdout is a file.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Submits the batches with `concurrency` submitters; returns (records landed, records refused, per-batch latency µs).
func run(_ batches: [SignedBatch], on ledger: Ledger, concurrency: Int) async throws -> (landed: Int, failed: Int, latency: Histogram<UInt64>) {
    try await withThrowingTaskGroup(of: (Int, Int, Histogram<UInt64>).self) { group in
        for t in 0..<concurrency {
            group.addTask {
                var landed = 0, failed = 0
                var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
                var b = t
                while b < batches.count {
                    let start = now()
                    let outcomes = try await ledger.submit(batches[b])
                    latency.record((now() - start) / 1_000)
                    for outcome in outcomes {
                        if case .success = outcome { landed += 1 } else {
                            if failed == 0, case .failure(let e) = outcome { FileHandle.standardError.write(Data("refused: \(e)\n".utf8)) }
                            failed += 1
                        }
                    }
                    b += concurrency
                }
                return (landed, failed, latency)
            }
        }
        var total = (0, 0, Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three))
        for try await (l, f, h) in group { total.0 += l; total.1 += f; total.2.add(h) }
        return total
    }
}

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
try await register(platform, DomainCaller.roleName(.invoicePlatform))
try await register(bureau, DomainCaller.roleName(.insuranceBureau, region: "46"))
for h in 0..<hospitalCount { try await register(hospital(h), DomainCaller.roleName(.hospital)) }

say("yibao-domain-bench: \(invoiceCount) invoices, \(hospitalCount) hospitals, batch \(batchSize), concurrency \(concurrency), group commits of at most \(configuration.groupCommitMaxRecords) records, durable (fsync), \(ProcessInfo.processInfo.activeProcessorCount) cores")
var requestCounter = 0
@MainActor func sign(_ org: String, _ records: [LedgerRecord]) throws -> SignedBatch {
    requestCounter += 1
    return try SignedBatch.signing(org: org, requestId: "\(org)-\(requestCounter)", records: records, key: keys[org]!)
}

let runStart = now()
var totalOps = 0, totalFailed = 0, timedNanos: UInt64 = 0
/// Batches are built and signed a window at a time, off the clock, so that a 10-million-invoice run never holds
/// more than one window of batches in memory. Each window drains before the next is signed.
let window = 256
/// Runs `count` batches, `make(k)` building the k-th; prints the phase's line and, every 8 windows, progress.
@MainActor func phase(_ name: String, batches count: Int, _ make: (Int) throws -> SignedBatch) async throws {
    var signNanos: UInt64 = 0, runNanos: UInt64 = 0, landed = 0, failed = 0, windows = 0
    var writerSeconds = 0.0, committerSeconds = 0.0, processSeconds = 0.0, writtenBytes = 0
    var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    var next = 0
    while next < count {
        let end = min(count, next + window)
        let signStart = now()
        var batches = try (next..<end).map(make)
        signNanos += now() - signStart
        let start = now(), writerBefore = ProcessCPUTime.seconds(threadsNamed: Ledger.writerThreadName) ?? 0
        let committerBefore = ProcessCPUTime.seconds(threadsNamed: Ledger.committerThreadName) ?? 0
        let processBefore = ProcessCPUTime.seconds()
        let writesBefore = ProcessWrites.now()
        let result = try await run(batches, on: ledger, concurrency: concurrency)
        runNanos += now() - start
        writerSeconds += (ProcessCPUTime.seconds(threadsNamed: Ledger.writerThreadName) ?? 0) - writerBefore
        committerSeconds += (ProcessCPUTime.seconds(threadsNamed: Ledger.committerThreadName) ?? 0) - committerBefore
        processSeconds += ProcessCPUTime.seconds() - processBefore
        writtenBytes += ProcessWrites.now().written - writesBefore.written
        batches = []
        landed += result.landed
        failed += result.failed
        latency.add(result.latency)
        next = end
        windows += 1
        if windows % 8 == 0 {
            ProcessMemory.releaseFreedHeap()
            FileHandle.standardError.write(Data(String(
                format: "  %@: %d of %d batches, %.0f ops/s so far; store %d MiB, RssAnon %d MiB (window released, malloc_trim)\n",
                name as NSString, next, count, Double(landed + failed) / (Double(runNanos) / 1e9), ledger.storeBytes / 1_048_576,
                anonymousMiB()).utf8))
        }
    }
    timedNanos += runNanos
    totalOps += landed + failed
    totalFailed += failed
    let seconds = Double(runNanos) / 1e9, ops = Double(max(1, landed + failed))
    say(String(
        format: "%-8@ %7d batches %9d ops %8.1f s %9.0f ops/s  batch p50 %6.1f ms p99 %6.1f ms  failures %d  (signing %.1f s, untimed)",
        name as NSString, count, landed + failed, seconds, Double(landed + failed) / seconds,
        Double(latency.valueAtPercentile(50)) / 1000, Double(latency.valueAtPercentile(99)) / 1000,
        failed, Double(signNanos) / 1e9))
    // Where the time goes: the two serial threads' own CPU (the writer applies, the committer replays into LMDB and
    // waits for the disk), the whole process's CPU (admission runs in parallel), and the bytes commits wrote.
    say(String(format: "         CPU per op: writer %.1f µs (%.0f %% busy), committer %.1f µs (%.0f %% busy), process %.1f µs (%.2f cores); %.1f KiB written per op",
               writerSeconds * 1e6 / ops, 100 * writerSeconds / seconds, committerSeconds * 1e6 / ops,
               100 * committerSeconds / seconds, processSeconds * 1e6 / ops, processSeconds / seconds,
               Double(writtenBytes) / 1024 / ops))
}

/// The invoice of visit `index` as a lock or entry names it, from its keys alone (no visit is built).
func reference(ofVisit index: Int) -> InvoiceReference {
    let keys = workload.keys(ofVisit: index)
    return InvoiceReference(invoiceCode: keys.invoiceCode, invoiceNumber: keys.invoiceNumber, checkCode: keys.checkCode)
}

func batchCount(_ records: Int) -> Int { (records + batchSize - 1) / batchSize }

try await phase("issue", batches: batchCount(invoiceCount)) { k in
    try sign(platform, InvoiceSettlementRecords.issue((k * batchSize..<min(invoiceCount, (k + 1) * batchSize)).map { pair($0).0 }))
}
// Each hospital uploads its own settlements (up to 1,000 a batch); the hospitals' batches are interleaved, round by
// round. Hospital h's j-th settlement is visit h + 300 j.
let settlementsOf = (0..<hospitalCount).map { h in h < invoiceCount ? (invoiceCount - h + hospitalCount - 1) / hospitalCount : 0 }
var uploads: [(hospital: Int, round: Int)] = []
for round in 0..<batchCount(settlementsOf.max() ?? 0) {
    for h in 0..<hospitalCount where round * batchSize < settlementsOf[h] { uploads.append((h, round)) }
}
try await phase("upload", batches: uploads.count) { k in
    let (h, round) = uploads[k]
    let visits = (round * batchSize..<min(settlementsOf[h], (round + 1) * batchSize)).map { workload.visitIndex(hospital: h, sequence: $0) }
    return try sign(hospital(h), InvoiceSettlementRecords.upload(visits.map { pair($0).1 }))
}
// The bureau locks, then records entry for, every second invoice.
let lockedCount = (invoiceCount + 1) / 2
for (name, action) in [("lock", InvoiceAction.lock), ("entry", .recordEntry)] {
    try await phase(name, batches: batchCount(lockedCount)) { k in
        try sign(bureau, (k * batchSize..<min(lockedCount, (k + 1) * batchSize)).map {
            InvoiceSettlementRecords.statusChange(action, reference(ofVisit: 2 * $0), operatedTime: "2024-03-05 09:00:00")
        })
    }
}

// The pre-signed batches are gone; hand their freed pages back so RssAnon is the ledger's live heap, not malloc's cache.
ProcessMemory.releaseFreedHeap()
let status = ProcessMemory.current(peakWasReset: false)
let timed = Double(timedNanos) / 1e9
say(String(format: "total    %d business ops in %.1f s timed: %.0f ops/s; failures %d", totalOps, timed, Double(totalOps) / timed, totalFailed))
say("memory   RssAnon \((status?.anonymousKiB ?? -1) / 1024) MiB, peak RSS (VmHWM) \((status?.peakResidentKiB ?? -1) / 1024) MiB (after malloc_trim; the peak includes a window of signed batches and the LMDB pages touched)")
say("store    \(ledger.storeBytes / 1_048_576) MiB (\(ledger.storeBytes / max(invoiceCount, 1)) bytes per invoice)")
say(String(format: "elapsed  %.1f s wall, signing included", Double(now() - runStart) / 1e9))
ledger.shutdown()
if keepStore { say("kept     \(folder)") } else { try? FileManager.default.removeItem(atPath: folder) }
exit(totalFailed == 0 ? 0 : 1)
