import Foundation
import Synchronization
import YibaoLoadSupport

/// Drives a scenario by a plan and measures it: workers, the schedule (closed or open loop), warm-up, the
/// progress line every second, and the client's and (when local) the server's CPU and memory.
public struct LoadEngine: Sendable {
    public var plan: LoadPlan
    /// The node's pid when it runs on this machine: its CPU and memory go into the report.
    public var serverPID: Int32?
    /// Where progress lines go (standard error by default).
    public var log: @Sendable (String) -> Void

    public init(plan: LoadPlan, serverPID: Int32? = nil,
                log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.plan = plan
        self.serverPID = serverPID
        self.log = log
    }

    /// Runs `scenario` (after its untimed `prepare`) and returns the measured figures; the caller adds what it
    /// knows (target, settings) to the report.
    public func run(_ scenario: some LoadScenario) async throws -> LoadReport {
        try await scenario.prepare(log: log)
        let loadAtStart = MachineDescription.loadAverages()
        let recorder = LoadRecorder()
        let counters = RunCounters()
        let plan = self.plan
        let start = MonotonicClock.nanoseconds()
        let warmupEnd = start + UInt64(max(0, plan.warmupSeconds) * 1e9)
        let end = warmupEnd + UInt64(max(0, plan.durationSeconds) * 1e9)

        let ticker = ProgressTicker(recorder: recorder, start: start, warmupEnd: warmupEnd, serverPID: serverPID,
                                    printing: plan.progress, log: log)
        let tickerTask = Task { await ticker.run() }

        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<plan.workers {
                group.addTask {
                    await scenario.withWorker(worker) { perform in
                        while true {
                            let operation = counters.operations.wrappingAdd(1, ordering: .relaxed).oldValue
                            if let limit = plan.maxOperations, operation >= limit { return }
                            let begin = MonotonicClock.nanoseconds()
                            var latencyFrom = begin
                            if case .open(let rate, _) = plan.mode {
                                // Due at a fixed schedule; the latency clock starts when it was due, not when a
                                // worker got round to it (coordinated omission). Every operation due before the
                                // end is sent, however late, unless the backlog outlasts a second duration.
                                let due = start + UInt64(Double(operation) / rate * 1e9)
                                if due >= end || begin >= end + (end - warmupEnd) { return }
                                if due > begin {
                                    try? await Task.sleep(nanoseconds: due - begin)
                                } else if begin - due > 1_000_000 {
                                    counters.lateStarts.add(1, ordering: .relaxed)
                                }
                                latencyFrom = due
                            } else if begin >= end {
                                return
                            }
                            let outcome = await perform(operation)
                            let finished = MonotonicClock.nanoseconds()
                            recorder.record(outcome, latencyNanoseconds: finished - latencyFrom, start: latencyFrom,
                                            end: finished, measured: latencyFrom >= warmupEnd)
                        }
                    }
                }
            }
            // Measurement (CPU zero points, peak RSS reset) starts when the warm-up ends, inside the ticker.
        }
        tickerTask.cancel()
        let timeline = await tickerTask.value

        let results = recorder.results()
        let measuredSeconds = results.firstStart.map { Double(results.lastEnd - min($0, results.lastEnd)) / 1e9 } ?? 0
        return LoadReport(scenario: scenario.name, plan: plan, machine: MachineDescription.current(dataFilesystem: "n/a"),
                          loadAverageAtStart: loadAtStart, loadAverageAtEnd: MachineDescription.loadAverages(),
                          measuredSeconds: measuredSeconds, tally: results.tally, latency: results.latency.summary,
                          kinds: results.byKind.keys.sorted().map { kind in
                              KindFigures(kind: kind, tally: results.byKind[kind]!.tally,
                                          latency: results.byKind[kind]!.latency.summary, measuredSeconds: measuredSeconds)
                          },
                          lateStarts: counters.lateStarts.load(ordering: .relaxed), resources: timeline.resources,
                          timeline: timeline.points)
    }
}

/// The counters every worker shares: the next operation number, and the open loop's late starts.
private final class RunCounters: Sendable {
    let operations = Atomic<Int>(0)
    let lateStarts = Atomic<Int>(0)
}
