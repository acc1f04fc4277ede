import Foundation

/// Events waiting for the audit writer, bounded: a full queue refuses at once (the caller refuses its read).
final class AuditQueue: @unchecked Sendable {  // every field is guarded by `condition`
    struct Item: Sendable {
        let event: [UInt8]
        let continuation: CheckedContinuation<UInt64, Error>
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func enqueue(_ item: Item) throws(LedgerError) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw LedgerError(.unavailable, "the audit trail is shutting down; the read is refused unrecorded") }
        guard items.count < capacity else {
            throw LedgerError(.resourceExhausted, "the audit trail has \(items.count) events waiting; the read is refused rather than left unrecorded")
        }
        items.append(item)
        condition.signal()
    }

    /// Up to `max` items, waiting while empty; nil once closed and drained.
    func take(max: Int) -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty { return nil }
        let count = min(max, items.count)
        let taken = Array(items[..<count])
        items.removeFirst(count)
        return taken
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
