import Synchronization
import YibaoLoadSupport

/// Collects every operation's latency and outcome from all workers. One lock, taken once per operation: cheap
/// next to an RPC, and it lets the progress ticker read "p99 so far" while the workers run.
/// Latency is in nanoseconds: from the operation's start in a closed loop, from its intended start in an open loop.
final class LoadRecorder: Sendable {
    /// One second of the run, for the progress line and the plot.
    struct Interval {
        var latency = LatencyRecorder()
        var tally = OperationTally()
        /// Per kind, only when the scenario tags its operations with kinds.
        var latencyByKind: [String: LatencyRecorder] = [:]
    }

    /// The measured part of one kind of operation.
    struct KindRecord {
        var latency = LatencyRecorder()
        var tally = OperationTally()
    }

    private struct State {
        var measured = LatencyRecorder()
        var measuredTally = OperationTally()
        var measuredByKind: [String: KindRecord] = [:]
        var interval = Interval()
        var firstMeasuredStart: UInt64?
        var lastMeasuredEnd: UInt64 = 0
    }

    private let state = Mutex(State())

    /// `measured` is false during warm-up: the operation shows in the progress line, not in the report.
    func record(_ outcome: OperationOutcome, latencyNanoseconds: UInt64, start: UInt64, end: UInt64, measured: Bool) {
        state.withLock { state in
            state.interval.latency.record(nanoseconds: latencyNanoseconds)
            state.interval.tally.add(outcome)
            if let kind = outcome.kind { state.interval.latencyByKind[kind, default: LatencyRecorder()].record(nanoseconds: latencyNanoseconds) }
            guard measured else { return }
            state.measured.record(nanoseconds: latencyNanoseconds)
            state.measuredTally.add(outcome)
            if let kind = outcome.kind {
                state.measuredByKind[kind, default: KindRecord()].latency.record(nanoseconds: latencyNanoseconds)
                state.measuredByKind[kind, default: KindRecord()].tally.add(outcome)
            }
            if state.firstMeasuredStart == nil || start < state.firstMeasuredStart! { state.firstMeasuredStart = start }
            state.lastMeasuredEnd = max(state.lastMeasuredEnd, end)
        }
    }

    /// The interval since the last call, and the measured p99 so far (ns).
    func takeInterval() -> (Interval, p99SoFar: UInt64, measuredCalls: Int) {
        state.withLock { state in
            let interval = state.interval
            state.interval = Interval()
            return (interval, state.measured.nanoseconds(atPercentile: 99),
                    state.measuredTally.calls)
        }
    }

    func results() -> (latency: LatencyRecorder, tally: OperationTally, byKind: [String: KindRecord], firstStart: UInt64?,
                       lastEnd: UInt64) {
        state.withLock { ($0.measured, $0.measuredTally, $0.measuredByKind, $0.firstMeasuredStart, $0.lastMeasuredEnd) }
    }
}
