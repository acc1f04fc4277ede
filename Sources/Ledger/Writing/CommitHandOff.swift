import Foundation
import YibaoCrypto

/// The one-slot hand-off from the writer, which applies groups, to the committer, which commits them. The writer
/// hands a group over only when the committer is done with the previous one, so at most one group commits while the
/// next is applied over it, and the writer learns whether the group under its own was committed before it hands on.
final class CommitHandOff: @unchecked Sendable {
    enum Next {
        case group(AppliedGroup)
        /// The wait timed out, or something (a signed tree head) asked the committer to look at its chores.
        case idle
        case finished
    }

    private let condition = NSCondition()
    private var waiting: AppliedGroup?
    private var committing = false
    private var lastFailed = false
    private var finishing = false
    private var woken = false
    private var committed: MerkleFrontier

    init(committed: MerkleFrontier) {
        self.committed = committed
    }

    // MARK: writer side

    /// True while a handed group waits or commits.
    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return waiting != nil || committing
    }

    /// Waits until the committer is done with every group handed to it. Returns whether the last one failed (so
    /// whatever was applied over it must be applied again) and the frontier of what is committed.
    func waitUntilIdle() -> (lastFailed: Bool, committed: MerkleFrontier) {
        condition.lock()
        defer { condition.unlock() }
        while waiting != nil || committing { condition.wait() }
        return (lastFailed, committed)
    }

    /// Hands over a group; the committer must be idle (`waitUntilIdle`).
    func hand(_ group: AppliedGroup) {
        condition.lock()
        precondition(waiting == nil && !committing, "a group handed over while another commits")
        waiting = group
        lastFailed = false
        condition.broadcast()
        condition.unlock()
    }

    /// The committer ends once nothing is left to commit.
    func finish() {
        condition.lock()
        finishing = true
        condition.broadcast()
        condition.unlock()
    }

    /// Makes a waiting committer look at its chores now.
    func wake() {
        condition.lock()
        woken = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: committer side

    func next(timeout: Duration) -> Next {
        condition.lock()
        defer { condition.unlock() }
        if waiting == nil && !finishing && !woken { condition.wait(upTo: timeout) }
        woken = false
        if let group = waiting {
            waiting = nil
            committing = true
            return .group(group)
        }
        return finishing ? .finished : .idle
    }

    /// The group taken by `next` is done: committed up to `frontier`, or failed (nil).
    func done(committedUpTo frontier: MerkleFrontier?) {
        condition.lock()
        committing = false
        if let frontier { committed = frontier } else { lastFailed = true }
        condition.broadcast()
        condition.unlock()
    }
}
