import Foundation

/// Events waiting for the audit writer, bounded by their number: a full queue refuses at once (the caller refuses
/// its read).
final class AuditQueue: @unchecked Sendable {  // every field is guarded by `condition`
    /// Events recorded together: they are committed in one transaction, with consecutive sequence numbers, and
    /// the continuation is resumed with the first.
    struct Item: Sendable {
        let events: [[UInt8]]
        let continuation: CheckedContinuation<UInt64, Error>
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var waitingEvents = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Events queued and not yet taken by the writer.
    var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return waitingEvents
    }

    func enqueue(_ item: Item) throws(LedgerError) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw LedgerError(.unavailable, "the audit trail is shutting down; the read is refused unrecorded") }
        guard waitingEvents + item.events.count <= capacity else {
            throw LedgerError(.resourceExhausted, "the audit trail has \(waitingEvents) events waiting; the read is refused rather than left unrecorded")
        }
        items.append(item)
        waitingEvents += item.events.count
        condition.signal()
    }

    /// Items holding up to `maxEvents` events (at least one item: its events are never split), waiting while
    /// empty; nil once closed and drained.
    func take(maxEvents: Int) -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty { return nil }
        var count = 0
        var events = 0
        while count < items.count, count == 0 || events + items[count].events.count <= maxEvents {
            events += items[count].events.count
            count += 1
        }
        let taken = Array(items[..<count])
        items.removeFirst(count)
        waitingEvents -= events
        return taken
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
