import YibaoLoadSupport

/// The readable form of a report on stdout, one table per part, printed as each part finishes.
enum ReportTables {
    static func machine(_ machine: MachineDescription, _ options: BenchmarkOptions) -> String {
        """
        yibao-ledger-bench \(options.quick ? "(--quick: smoke-test sizes, figures not meaningful)" : "")
          machine  \(machine.cpuModel), \(machine.logicalCores) cores, \(machine.memoryGiB) GiB, Linux \(machine.kernel)
          load     \(machine.loadAverageAtStart.map { String(format: "%.2f", $0) }.joined(separator: " ")) (1/5/15 min, at start)
          data     \(machine.dataFolderFilesystem) under \(options.parentDirectory), fsync on every commit
          commit   \(machine.gitCommit ?? "unknown"), \(machine.date)
          payload  \(options.payloadBytes) bytes, kind attestation
        """
    }

    static func append(_ runs: [AppendBenchmark.Result]) -> String {
        let rows = runs.map { run in
            [String(run.batchSize), String(run.concurrency), Format.grouped(run.records), Format.seconds(run.seconds),
             Format.rate(run.recordsPerSecond), Format.rate(run.entriesPerSecond),
             String(format: "%.1f", run.cpuMicrosecondsPerRecord),
             String(format: "%.1f", run.recordsPerCommit), String(format: "%.0f", run.bytesWrittenPerRecord.written),
             Format.micros(run.submitLatency.p50), Format.micros(run.submitLatency.p99),
             "\(run.lookupChecks - run.lookupFailures)/\(run.lookupChecks)", busy(run.machineLoad)]
        }
        return "Group-commit append throughput (submit → durable receipt, node-side SM3 + SM2 verify included)\n"
            + Format.table(["batch", "submitters", "records", "time", "records/s", "entries/s", "CPU µs/rec",
                            "rec/commit", "bytes written/rec", "batch p50 µs", "batch p99 µs", "found by hash", "others' cores"], rows)
    }

    static func latency(_ run: AppendBenchmark.Result) -> String {
        let l = run.submitLatency
        return "Batch-1 latency, one submitter (\(Format.grouped(run.records)) records after \(run.warmupRecords) warm-up; \(Format.rate(run.recordsPerSecond)) records/s)\n"
            + Format.table(["submit → receipt", "p50", "p90", "p99", "p99.9", "max", "mean", "others' cores"],
                           [["µs", Format.micros(l.p50), Format.micros(l.p90), Format.micros(l.p99),
                             Format.micros(l.p999), Format.micros(l.max), Format.micros(l.mean), busy(run.machineLoad)]])
    }

    static func naive(_ naive: NaiveAppendBenchmark.Result, ratios: BenchmarkReport.Ratios?) -> String {
        let l = naive.commitLatency
        var text = "Naive: one fsynced LMDB transaction per entry (entry + Merkle node + hash B-tree insert; no signatures)\n"
            + Format.table(["entries", "time", "entries/s", "CPU µs/entry", "bytes written/entry", "p50 µs", "p99 µs", "p99.9 µs", "found by hash",
                            "others' cores"],
                           [[Format.grouped(naive.entries), Format.seconds(naive.seconds), Format.rate(naive.entriesPerSecond),
                             String(format: "%.1f", naive.cpuMicrosecondsPerEntry),
                             String(format: "%.0f", naive.bytesWrittenPerEntry.written), Format.micros(l.p50),
                             Format.micros(l.p99), Format.micros(l.p999),
                             "\(naive.lookupChecks - naive.lookupFailures)/\(naive.lookupChecks)", busy(naive.machineLoad)]])
        if let ratios {
            var lines: [String] = []
            if let r = ratios.batch1000OverNaive { lines.append("  group commit, batch 1000 / naive: \(Format.ratio(r)) (records/s over entries/s)") }
            if let r = ratios.batch1OverNaive { lines.append("  group commit, batch 1    / naive: \(Format.ratio(r))") }
            if !lines.isEmpty { text += "\n" + lines.joined(separator: "\n") }
        }
        return text
    }

    static func proof(_ proof: ProofBenchmark.Result) -> String {
        let p = proof.proofLatency, q = proof.lookupLatency
        let m = proof.memory
        return "Proofs and look-ups on a tree of \(Format.grouped(Int(proof.treeSize))) entries (one thread; a major fault is a page read from disk)\n"
            + Format.table(["µs per call", "calls", "p50", "p90", "p99", "p99.9", "max", "major faults", "MiB read"],
                           [["inclusionProof", Format.grouped(Int(p.count)), Format.micros(p.p50), Format.micros(p.p90),
                             Format.micros(p.p99), Format.micros(p.p999), Format.micros(p.max),
                             Format.grouped(proof.proofPageFaults.major), Format.mebibytes(proof.proofPageFaults.bytesReadFromDisk)],
                            ["index(ofTransaction:)", Format.grouped(Int(q.count)), Format.micros(q.p50), Format.micros(q.p90),
                             Format.micros(q.p99), Format.micros(q.p999), Format.micros(q.max),
                             Format.grouped(proof.lookupPageFaults.major), Format.mebibytes(proof.lookupPageFaults.bytesReadFromDisk)]])
            + "\n  build \(Format.seconds(proof.buildSeconds)) (\(Format.rate(proof.buildEntriesPerSecond)) entries/s,"
            + " \(String(format: "%.0f", proof.buildBytesWrittenPerEntry.written)) bytes written/entry);"
            + " mean path \(String(format: "%.1f", proof.meanPathLength)) hashes;"
            + " \(proof.proofsVerified - proof.proofVerifyFailures)/\(proof.proofsVerified) sampled proofs verify"
            + "\n  store \(Format.mebibytes(proof.storeBytes)) (\(String(format: "%.0f", Double(proof.storeBytes) / Double(proof.treeSize))) bytes/entry);"
            + " peak RSS \(Format.kibAsMebibytes(m.peakResidentKiB))\(m.peakCoversThisPartOnly ? " (this part)" : " (whole process)"),"
            + " RSS \(Format.kibAsMebibytes(m.residentKiB)) = anon \(Format.kibAsMebibytes(m.anonymousKiB)) + file \(Format.kibAsMebibytes(m.fileBackedKiB))"
            + "\n  others' cores while timed: \(busy(proof.machineLoad))"
    }

    /// Cores the rest of the machine used while a part was timed (+ steal when the hypervisor took some).
    static func busy(_ load: MachineLoad) -> String {
        guard load.otherProcessesCores >= 0 else { return "?" }
        let steal = load.stealCores >= 0.05 ? String(format: " +%.2f steal", load.stealCores) : ""
        return String(format: "%.2f", load.otherProcessesCores) + steal
    }
}
