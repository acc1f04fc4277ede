import Foundation
import Synchronization
import YibaoLedger
import YibaoLoadSupport

/// What a run of signed batches did: records landed and refused, each kind's batch latency, and how often a sender
/// had to wait for a batch its step depends on.
struct StepTally {
    var landed = 0, failed = 0
    /// Indexed by `HospitalMix.Kind.rawValue`.
    var latency = [LatencyRecorder](repeating: LatencyRecorder(), count: HospitalMix.Kind.allCases.count)
    var waits = 0
    var waitedNanos: UInt64 = 0
    /// Batches the ledger refused as overloaded (its write queue full) and the sender sent again after a pause.
    var overloadRetries = 0

    mutating func add(_ other: StepTally) {
        landed += other.landed
        failed += other.failed
        waits += other.waits
        waitedNanos += other.waitedNanos
        overloadRetries += other.overloadRetries
        for kind in latency.indices { latency[kind].merge(other.latency[kind]) }
    }

    /// p50 / p99 batch latency of `kind` in ms, or nil if none ran.
    func percentiles(_ kind: HospitalMix.Kind) -> (p50: Double, p99: Double)? {
        let recorder = latency[kind.rawValue]
        guard recorder.count > 0 else { return nil }
        return (Double(recorder.nanoseconds(atPercentile: 50)) / 1e6, Double(recorder.nanoseconds(atPercentile: 99)) / 1e6)
    }
}

/// Sends signed batches with `concurrency` senders, each taking the next unsent batch in order. A batch whose
/// dependencies are not yet acknowledged waits for them. That cannot deadlock: the earliest unacknowledged batch
/// has been taken, and everything it depends on comes before it.
struct StepRunner: Sendable {
    let ledger: Ledger
    let concurrency: Int
    let mix: HospitalMix
    let latch: CompletionLatch<HospitalMix.Step>

    func run(_ batches: [(step: HospitalMix.Step, batch: SignedBatch)]) async throws -> StepTally {
        let next = NextIndex()
        return try await withThrowingTaskGroup(of: StepTally.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var tally = StepTally()
                    while true {
                        let b = next.take()
                        guard b < batches.count else { break }
                        let (step, batch) = batches[b]
                        let waitStart = MonotonicClock.nanoseconds()
                        var waited = false
                        for dependency in mix.dependencies(of: step) { waited = await latch.wait(for: dependency) || waited }
                        if waited { tally.waits += 1; tally.waitedNanos += MonotonicClock.nanoseconds() - waitStart }
                        let start = MonotonicClock.nanoseconds()
                        let outcomes = try await submit(batch, tally: &tally)
                        tally.latency[step.kind.rawValue].record(nanoseconds: MonotonicClock.nanoseconds() - start)
                        for outcome in outcomes {
                            if case .success = outcome { tally.landed += 1 } else {
                                if tally.failed == 0, case .failure(let e) = outcome {
                                    FileHandle.standardError.write(Data("refused (\(step.kind.name) \(step.number)): \(e)\n".utf8))
                                }
                                tally.failed += 1
                            }
                        }
                        latch.done(step)
                    }
                    return tally
                }
            }
            var total = StepTally()
            for try await tally in group { total.add(tally) }
            return total
        }
    }

    /// Submits the batch as a client would: "overloaded" refused it whole before anything was queued, so the same
    /// batch goes again after a pause (5 ms, doubling to 200 ms), and the pauses count in its latency. A batch refused
    /// for any other reason counts every record as failed.
    private func submit(_ batch: SignedBatch, tally: inout StepTally) async throws -> [RecordOutcome] {
        var pause = Duration.milliseconds(5)
        while true {
            do {
                return try await ledger.submit(batch)
            } catch let error as LedgerError where error.isOverloaded {
                tally.overloadRetries += 1
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(200))
            } catch let error as LedgerError {
                return Array(repeating: .failure(error), count: batch.records.count)
            }
        }
    }
}

/// The next unsent batch's index, shared by the senders.
private final class NextIndex: Sendable {
    private let value = Mutex(0)
    func take() -> Int { value.withLock { n in defer { n += 1 }; return n } }
}
