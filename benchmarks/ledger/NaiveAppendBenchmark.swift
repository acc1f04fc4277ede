import YibaoLoadSupport
import CLMDB
import YibaoCrypto
import YibaoLedger

/// The way one would write it without group commit: one LMDB write transaction, hence one fsync, per entry,
/// holding the entry, its Merkle node row and the hash → index B-tree insert. Same store, same hashes, same
/// entry format; unlike the ledger it verifies no signature, writes no seal and signs no tree head,
/// so it flatters the naive side.
struct NaiveAppendBenchmark {
    let client: BenchmarkClient
    let scratch: ScratchFolder
    let lookupChecks: Int

    struct Result: Codable, Sendable {
        let entries: Int
        let seconds: Double
        let entriesPerSecond: Double
        let cpuMicrosecondsPerEntry: Double
        /// One transaction (build, hash, put ×3, commit with fsync), per entry.
        let commitLatency: LatencySummary
        let lookupChecks: Int
        let lookupFailures: Int
        let storeBytes: Int
        let machineLoad: MachineLoad
        let bytesWrittenPerEntry: ProcessWrites.PerUnit
    }

    private struct Tables {
        let entries: LMDBDatabase
        let merkle: LMDBDatabase
        let transactions: LMDBDatabase
    }

    func run(entries count: Int) throws -> Result {
        let folder = try scratch.subfolder("naive")
        defer { scratch.removeSubfolder(folder) }
        var options = LMDBEnvironment.Options()
        options.durable = true
        let env = try LMDBEnvironment(path: folder, options: options)
        let tables = Tables(entries: try env.database(named: "entries"), merkle: try env.database(named: "merkle"),
                            transactions: try env.database(named: "transactions"))

        var frontier = MerkleFrontier(.sm3)
        var latency = LatencyRecorder()
        var hashes: [Digest32] = []
        hashes.reserveCapacity(count)
        let cpuBefore = ProcessCPUTime.seconds()
        let load = MachineLoad.Meter.start()
        let writesBefore = ProcessWrites.now()
        let start = MonotonicClock.nanoseconds()
        for index in 0..<count {
            let entryStart = MonotonicClock.nanoseconds()
            let entry = LedgerEntry(kind: EntryKind.attestation.rawValue, org: BenchmarkClient.org,
                                    requestId: "naive-\(index)", position: 0,
                                    payload: client.payloads[index % client.payloads.count]).encoded
            let leaf = frontier.hashing.leafHash(entry)
            // The write may be re-run after the map grows, so it works on a copy and the frontier moves after.
            var next = frontier
            let completed = next.append(leaf)
            try env.write { txn in try Self.write(entry, leaf: leaf, completed: completed, at: UInt64(index), into: tables, txn) }
            frontier = next
            hashes.append(leaf)
            latency.record(nanoseconds: MonotonicClock.nanoseconds() - entryStart)
        }
        let seconds = MonotonicClock.seconds(since: start)
        let cpuSeconds = ProcessCPUTime.seconds() - cpuBefore
        let machineLoad = load.finish()
        let written = ProcessWrites.now().perUnit(since: writesBefore, units: count)

        return Result(entries: count, seconds: seconds, entriesPerSecond: Double(count) / seconds,
                      cpuMicrosecondsPerEntry: cpuSeconds / Double(count) * 1e6, commitLatency: latency.summary,
                      lookupChecks: lookupChecks, lookupFailures: try lookupFailures(of: hashes, in: env, tables),
                      storeBytes: env.usedBytes(), machineLoad: machineLoad, bytesWrittenPerEntry: written)
    }

    private static func write(_ entry: [UInt8], leaf: Digest32, completed: [SubtreeRoot], at index: UInt64,
                              into tables: Tables, _ txn: LMDBTransaction) throws {
        let append = UInt32(MDB_APPEND)
        try txn.putReserving(tables.entries, key: index, size: 8 + entry.count, flags: append) { out in
            out.storeBytes(of: UInt64(0).bigEndian, toByteOffset: 0, as: UInt64.self)  // commit time, as the ledger stores it
            entry.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[8...]).copyMemory(from: $0) }
        }
        try txn.putReserving(tables.merkle, key: index, size: completed.count * Digest32.byteCount, flags: append) { out in
            for (level, root) in completed.enumerated() { root.hash.store(to: out.baseAddress! + level * Digest32.byteCount) }
        }
        // A random 32-byte key: this insert lands on a random B-tree page, which is the cost the ledger avoids.
        var value = index.bigEndian
        try leaf.withUnsafeBytes { key in
            try withUnsafeBytes(of: &value) { try txn.put(tables.transactions, key: key, value: $0, flags: UInt32(MDB_NOOVERWRITE)) }
        }
    }

    private func lookupFailures(of hashes: [Digest32], in env: LMDBEnvironment, _ tables: Tables) throws -> Int {
        guard !hashes.isEmpty else { return 0 }
        var random = SplitMix64(seed: 42)
        var failures = 0
        for _ in 0..<lookupChecks {
            let index = Int.random(in: 0..<hashes.count, using: &random)
            let found: UInt64? = try env.read { txn in
                try hashes[index].withUnsafeBytes { key in
                    try txn.get(tables.transactions, key: key).map { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
                }
            }
            if found != UInt64(index) { failures += 1 }
        }
        return failures
    }
}
