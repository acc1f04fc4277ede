import Foundation
import Histogram
import YibaoCrypto
import YibaoDomain

// yibao-domain-bench: the issue's "realistic hospital mix" on a durable ledger with InvoiceSettlementRules.
// Batches of 1,000: the invoice platform issues invoices (carrying setl_id), the hospitals upload their
// settlements (linked automatically), then a bureau locks and records entry for half of them.
// Keys as in real life: invoice numbers and setl_ids sequential per hospital, 300 hospitals interleaved,
// persons random (valid GB 11643 numbers). Batches are signed before each phase's clock starts.
// The issue asks for figures at 10 million invoices: pass --invoices 10000000 (default 200,000).

let usage = """
    usage: yibao-domain-bench [--invoices N] [--concurrency C] [--quick] [--dir PATH]
      --invoices N     invoices to issue (default 200000; the issue asks for figures at 10000000)
      --concurrency C  concurrent submitters (default 4)
      --quick          10000 invoices
      --dir PATH       parent folder of the scratch ledger, on a disk (default /work)
    """

var invoiceCount = 200_000
var concurrency = 4
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
    case "-h", "--help": print(usage); exit(0)
    default: print(usage); exit(2)
    }
}

let batchSize = 1_000
let hospitalCount = 300
let platform = "F46000000001"
let bureau = "B46"
func hospital(_ h: Int) -> String { "H460106" + pad(h + 1, 5) }
func pad(_ n: Int, _ width: Int) -> String {
    let digits = String(n)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// A valid 18-digit resident ID number (GB 11643-1999): region, birth date, serial, ISO 7064 MOD 11-2 check.
func residentID(_ rng: inout SplitMix64) -> String {
    let regions = ["460106", "460105", "460107", "460108", "469001", "110105", "440305"]
    let year = 1940 + Int(rng.next() % 70), month = 1 + Int(rng.next() % 12), day = 1 + Int(rng.next() % 28)
    let body = regions[Int(rng.next() % UInt64(regions.count))] + String(year) + pad(month, 2) + pad(day, 2)
        + pad(Int(rng.next() % 1000), 3)
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let sum = zip(body.utf8, weights).reduce(0) { $0 + Int($1.0 - UInt8(ascii: "0")) * $1.1 }
    return body + String(Array("10X98765432")[sum % 11])
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Invoice i belongs to hospital i % 300, as that hospital's (i / 300)-th invoice and settlement.
func pair(_ i: Int, _ rng: inout SplitMix64) -> (Invoice, Settlement) {
    let h = i % hospitalCount, k = i / hospitalCount
    let code = hospital(h)
    let number = pad(k + 1, 10)
    let setlId = "S" + code.dropFirst() + pad(k + 1, 8)
    let certno = residentID(&rng)
    let psnNo = "46" + pad(Int(rng.next() % 1_000_000_000_000), 12)
    let invoice = Invoice(invoiceCode: "46" + pad(h + 1, 6), invoiceNumber: number, checkCode: "a1B2c3",
                          invoiceKind: .outpatient, issueTime: "2024-03-01 10:20:30", invoicingPartyCode: code,
                          invoicingPartyName: "海口市人民医院", payerType: .individual, payerCode: certno, payerName: "张三",
                          payerPhone: "13800138000", busNo: "MZ-\(code)-\(k + 1)", totalAmount: 10_000,
                          fundPayAmount: 6_000, accountPayAmount: 1_500, ownPayAmount: 2_500, selfPayAmount: 1_200,
                          otherPayAmount: 0, medicalInsuranceType: "职工基本医疗保险", medicalInsuranceId: psnNo,
                          medicalDate: "2024-03-01", setlId: setlId,
                          items: [InvoiceItem(code: "A01", name: "西药费", quantity: ItemQuantity(tenThousandths: 15_000), amount: 7_000),
                                  InvoiceItem(code: "B02", name: "检查费", quantity: ItemQuantity(whole: 1), amount: 3_000)])
    let settlement = Settlement(setlId: setlId, mdtrtId: "M" + setlId.dropFirst(), psnNo: psnNo, psnName: "张三",
                                psnCertType: .residentIDCard, certno: certno, insutype: "310", psnType: "11",
                                medType: "11", setlTime: "2024-03-01 11:00:00", fixmedinsCode: code,
                                fixmedinsName: "海口市人民医院", medfeeSumamt: 10_000, fulamtOwnpayAmt: 500, overlmtSelfpay: 0,
                                preselfpayAmt: 700, inscpScpAmt: 8_800, actPayDedc: 0, hifpPay: 5_000, cvlservPay: 0,
                                hifesPay: 0, hifmiPay: 1_000, hifobPay: 0, mafPay: 0, othPay: 0, fundPaySumamt: 6_000,
                                psnPartAmt: 4_000, acctPay: 1_500, psnCashPay: 2_500, hospPartAmt: 0, balc: 88_000,
                                clrType: "11", clrWay: "1", clrOptins: "460100", invono: number,
                                details: [FundPayDetail(fundPayType: "310100", fundPayamt: 5_000),
                                          FundPayDetail(fundPayType: "390200", fundPayamt: 1_000)])
    return (invoice, settlement)
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
defer { try? FileManager.default.removeItem(atPath: folder) }
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
    var rng = SplitMix64(state: 11643)
    var batches: [SignedBatch] = []
    var invoices: [Invoice] = []
    for i in 0..<invoiceCount {
        let (invoice, settlement) = pair(i, &rng)
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

let status = memory()
let timed = Double(timedNanos) / 1e9
print(String(format: "total    %d business ops in %.1f s timed: %.0f ops/s; failures %d", totalOps, timed, Double(totalOps) / timed, totalFailed))
print("memory   RssAnon \((status["RssAnon"] ?? -1) / 1024) MiB, peak RSS (VmHWM) \((status["VmHWM"] ?? -1) / 1024) MiB (includes the pre-signed batches and the LMDB pages touched)")
print("store    \(ledger.storeBytes / 1_048_576) MiB (\(ledger.storeBytes / max(invoiceCount, 1)) bytes per invoice)")
print(String(format: "elapsed  %.1f s wall, signing included", Double(now() - runStart) / 1e9))
ledger.shutdown()
try? FileManager.default.removeItem(atPath: folder)
exit(totalFailed == 0 ? 0 : 1)
