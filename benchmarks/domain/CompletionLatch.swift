import Synchronization

/// Which steps have been acknowledged, for senders that must not send a step before the ones it depends on.
/// `wait(for:)` returns at once for a step already done, otherwise when `done(_:)` is called for it.
final class CompletionLatch<Step: Hashable & Sendable>: Sendable {
    private struct State {
        var done: Set<Step> = []
        var waiters: [Step: [CheckedContinuation<Void, Never>]] = [:]
    }
    private let state = Mutex(State())

    func done(_ step: Step) {
        let waiters = state.withLock { state in
            state.done.insert(step)
            return state.waiters.removeValue(forKey: step) ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether the caller had to wait.
    func wait(for step: Step) async -> Bool {
        if state.withLock({ $0.done.contains(step) }) { return false }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.done.contains(step) { return true }
                state.waiters[step, default: []].append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return true
    }
}
