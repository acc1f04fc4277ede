import YibaoLoadSupport
import YibaoLedger

/// Submits batches from `concurrency` concurrent tasks, each waiting for its receipt before its next submit,
/// as that many clients would: only then is there more than one batch queued for a group commit to take.
enum SubmissionDriver {
    /// Task t submits batches t, t + concurrency, ... ; `batch` makes batch number n (pre-signed, or signed there).
    /// Without `keepReceipts` only failures and latencies are kept (a 10-million-entry build needs no receipts).
    static func submit(count: Int, concurrency: Int, to ledger: Ledger, keepReceipts: Bool = true,
                       batch: @escaping @Sendable (Int) throws -> SignedBatch) async -> SubmissionTally {
        await withTaskGroup(of: SubmissionTally.self) { group in
            for task in 0..<min(concurrency, count) {
                group.addTask {
                    var tally = SubmissionTally(keepsReceipts: keepReceipts)
                    for number in stride(from: task, to: count, by: concurrency) {
                        do {
                            let signed = try batch(number)
                            let start = MonotonicClock.nanoseconds()
                            let outcomes = try await ledger.submit(signed)
                            tally.latency.record(nanoseconds: MonotonicClock.nanoseconds() - start)
                            tally.note(outcomes)
                        } catch {
                            tally.noteFailedBatch(error)
                        }
                    }
                    return tally
                }
            }
            var total = SubmissionTally()
            for await tally in group { total.merge(tally) }
            return total
        }
    }

    /// Looks `sample` random receipts up by transaction hash; returns how many were missing or wrong.
    static func lookupFailures(of landed: [SubmissionTally.Landed], sample: Int, in ledger: Ledger,
                               seed: UInt64) -> Int {
        guard !landed.isEmpty else { return 0 }
        var random = SplitMix64(seed: seed)
        var failures = 0
        for _ in 0..<sample {
            let receipt = landed[Int.random(in: 0..<landed.count, using: &random)]
            if (try? ledger.index(ofTransaction: receipt.hash)) != receipt.index { failures += 1 }
        }
        return failures
    }
}
