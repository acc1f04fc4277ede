import YibaoLoadSupport
import Foundation

// yibao-ledger-bench: see BenchmarkOptions.usage and benchmarks/README.md.

let options: BenchmarkOptions
do {
    guard let parsed = try BenchmarkOptions.parse(Array(CommandLine.arguments.dropFirst())) else {
        print(BenchmarkOptions.usage)
        exit(0)
    }
    options = parsed
} catch {
    FileHandle.standardError.write(Data("yibao-ledger-bench: \(error)\n".utf8))
    exit(2)
}

let scratch: ScratchFolder
do {
    scratch = try ScratchFolder(parent: options.parentDirectory)
} catch {
    FileHandle.standardError.write(Data("yibao-ledger-bench: \(error)\n".utf8))
    exit(2)
}

let runStart = MonotonicClock.nanoseconds()
var report = BenchmarkReport(machine: .current(dataFilesystem: scratch.filesystem), configuration: options)
print(ReportTables.machine(report.machine, options))
print()
Progress.note("data in \(scratch.path)")
let client = BenchmarkClient(payloadBytes: options.payloadBytes)

do {
    if options.parts.contains(.append) {
        let bench = AppendBenchmark(client: client, scratch: scratch, lookupChecks: options.lookupChecks)
        for run in options.appendRuns {
            Progress.note("append: batch \(run.batchSize), \(run.records) records, \(options.concurrency) submitters")
            report.append.append(try await bench.run(batchSize: run.batchSize, records: run.records,
                                                     concurrency: options.concurrency, label: "append-\(run.batchSize)"))
        }
        print(ReportTables.append(report.append))
        print()
        Progress.note("latency: batch 1, \(options.latencyRecords) records, one submitter")
        let latency = try await bench.run(batchSize: 1, records: options.latencyRecords, concurrency: 1,
                                          warmup: options.latencyWarmup, label: "latency")
        report.latency = latency
        print(ReportTables.latency(latency))
        print()
    }
    if options.parts.contains(.naive) {
        Progress.note("naive: \(options.naiveEntries) entries, one transaction each")
        let bench = NaiveAppendBenchmark(client: client, scratch: scratch, lookupChecks: options.lookupChecks)
        report.naive = try bench.run(entries: options.naiveEntries)
        report.computeRatios()
        print(ReportTables.naive(report.naive!, ratios: report.ratios))
        print()
    }
    if options.parts.contains(.proof) {
        Progress.note("proof: building \(options.proofEntries) entries, then \(options.proofQueries) proofs and look-ups")
        let bench = ProofBenchmark(client: client, scratch: scratch, concurrency: options.concurrency)
        let proof = try await bench.run(entries: options.proofEntries, queries: options.proofQueries)
        report.proof = proof
        print(ReportTables.proof(proof))
        print()
    }
} catch {
    scratch.remove()
    FileHandle.standardError.write(Data("yibao-ledger-bench: failed: \(error)\n".utf8))
    exit(1)
}

scratch.remove()
report.totalSeconds = MonotonicClock.seconds(since: runStart)
print("total \(Format.seconds(report.totalSeconds))")
if let path = options.jsonPath {
    JSONReportFile.writeOrExit(report, to: path, tool: "yibao-ledger-bench")
    print("JSON written to \(path)")
}
let problems = report.problems
if !problems.isEmpty {
    print("FAILED:\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
    exit(1)
}
