import Foundation
import Histogram
import YibaoCrypto
import YibaoDomain
import YibaoLoadSupport

// yibao-domain-bench: the issue's "realistic hospital mix" on a durable ledger with InvoiceSettlementRules.
// Batches of 1,000: the invoice platform issues invoices (carrying setl_id), the hospitals upload their
// settlements (linked automatically), then a bureau locks and records entry for half of them.
// Keys as in real life: invoice numbers and setl_ids sequential per hospital, 300 hospitals interleaved,
// persons random (valid GB 11643 numbers). Batches are signed before each phase's clock starts.
// The issue asks for figures at 10 million invoices: pass --invoices 10000000 (default 200,000).

let usage = """
    usage: yibao-domain-bench [--invoices N] [--concurrency C] [--quick] [--dir PATH] [--keep]
      --invoices N     invoices to issue (default 200000; the issue asks for figures at 10000000)
      --concurrency C  concurrent submitters (default 4)
      --quick          10000 invoices
      --dir PATH       parent folder of the scratch ledger, on a disk (default /work)
      --keep           keep the ledger folder afterwards (for mdb_stat -a, yibao verify)
    """

var invoiceCount = 200_000
var concurrency = 4
var keepStore = false
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

func memory() -> [String: Int] {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return [:] }
    var fields: [String: Int] = [:]
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 1)
        if parts.count == 2, let v = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap({ Int($0) }) { fields[String(parts[0])] = v }
    }
    return fields
}

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
let ledger = try Ledger(directory: folder, nodeKey: SM2PrivateKey(), configuration: InvoiceSettlementService.configuration())
var keys: [String: SM2PrivateKey] = [:]
@MainActor func register(_ org: String, _ role: String) async throws {
    let key = SM2PrivateKey()
    keys[org] = key
    try await ledger.registerOrg(code: org, role: role, publicKey: key.publicKey)
}
try await register(platform, DomainCaller.roleName(.invoicePlatform))
try await register(bureau, DomainCaller.roleName(.insuranceBureau, region: "46"))
for h in 0..<hospitalCount { try await register(hospital(h), DomainCaller.roleName(.hospital)) }

print("yibao-domain-bench: \(invoiceCount) invoices, \(hospitalCount) hospitals, batch \(batchSize), concurrency \(concurrency), durable (fsync), \(ProcessInfo.processInfo.activeProcessorCount) cores")
var requestCounter = 0
@MainActor func sign(_ org: String, _ records: [LedgerRecord]) throws -> SignedBatch {
    requestCounter += 1
    return try SignedBatch.signing(org: org, requestId: "\(org)-\(requestCounter)", records: records, key: keys[org]!)
}

let runStart = now()
var totalOps = 0, totalFailed = 0, timedNanos: UInt64 = 0
@MainActor func phase(_ name: String, _ build: () throws -> [SignedBatch]) async throws {
    let signStart = now()
    let batches = try build()
    let signSeconds = Double(now() - signStart) / 1e9
    let start = now()
    let result = try await run(batches, on: ledger, concurrency: concurrency)
    let nanos = now() - start
    timedNanos += nanos
    totalOps += result.landed + result.failed
    totalFailed += result.failed
    let seconds = Double(nanos) / 1e9
    print(String(format: "%-8@ %7d batches %9d ops %8.1f s %9.0f ops/s  batch p50 %6.1f ms p99 %6.1f ms  failures %d  (signing %.1f s, untimed)",
                 name as NSString, batches.count, result.landed + result.failed, seconds,
                 Double(result.landed + result.failed) / seconds,
                 Double(result.latency.valueAtPercentile(50)) / 1000, Double(result.latency.valueAtPercentile(99)) / 1000,
                 result.failed, signSeconds))
}

var references: [InvoiceReference] = []
references.reserveCapacity(invoiceCount / 2 + 1)
var settlementsByHospital = Array(repeating: [Settlement](), count: hospitalCount)
try await phase("issue") {
    var batches: [SignedBatch] = []
    var invoices: [Invoice] = []
    for i in 0..<invoiceCount {
        let (invoice, settlement) = pair(i)
        invoices.append(invoice)
        settlementsByHospital[i % hospitalCount].append(settlement)
        if i % 2 == 0 { references.append(InvoiceReference(invoice)) }
        if invoices.count == batchSize || i == invoiceCount - 1 {
            batches.append(try sign(platform, InvoiceSettlementRecords.issue(invoices)))
            invoices.removeAll(keepingCapacity: true)
        }
    }
    return batches
}
// Each hospital uploads its own settlements (up to 1,000 a batch); the hospitals' batches are interleaved.
try await phase("upload") {
    var perHospital = settlementsByHospital.enumerated().map { h, list in
        stride(from: 0, to: list.count, by: batchSize).map { (hospital(h), Array(list[$0..<min($0 + batchSize, list.count)])) }
    }
    settlementsByHospital = []
    var batches: [SignedBatch] = []
    var round = 0
    while perHospital.contains(where: { round < $0.count }) {
        for h in perHospital.indices where round < perHospital[h].count {
            let (org, list) = perHospital[h][round]
            batches.append(try sign(org, InvoiceSettlementRecords.upload(list)))
        }
        round += 1
    }
    perHospital = []
    return batches
}
for (name, action) in [("lock", InvoiceAction.lock), ("entry", .recordEntry)] {
    try await phase(name) {
        try stride(from: 0, to: references.count, by: batchSize).map { start in
            try sign(bureau, references[start..<min(start + batchSize, references.count)].map {
                InvoiceSettlementRecords.statusChange(action, $0, operatedTime: "2024-03-05 09:00:00")
            })
        }
    }
}
references = []

/// glibc's `malloc_trim`, which Swift's Glibc module does not export.
@_silgen_name("malloc_trim") func mallocTrim(_ pad: Int) -> Int32
// The pre-signed batches are gone; hand their freed pages back so RssAnon is the ledger's live heap, not malloc's cache.
_ = mallocTrim(0)
let status = memory()
let timed = Double(timedNanos) / 1e9
print(String(format: "total    %d business ops in %.1f s timed: %.0f ops/s; failures %d", totalOps, timed, Double(totalOps) / timed, totalFailed))
print("memory   RssAnon \((status["RssAnon"] ?? -1) / 1024) MiB, peak RSS (VmHWM) \((status["VmHWM"] ?? -1) / 1024) MiB (after malloc_trim; the peak includes the pre-signed batches and the LMDB pages touched)")
print("store    \(ledger.storeBytes / 1_048_576) MiB (\(ledger.storeBytes / max(invoiceCount, 1)) bytes per invoice)")
print(String(format: "elapsed  %.1f s wall, signing included", Double(now() - runStart) / 1e9))
ledger.shutdown()
if keepStore { print("kept     \(folder)") } else { try? FileManager.default.removeItem(atPath: folder) }
exit(totalFailed == 0 ? 0 : 1)
