import Foundation

/// The bounded hand-over between callers and the writer thread. Bounded in records and bytes: when full, `enqueue`
/// fails at once with "overloaded" rather than letting memory grow with the backlog.
final class WriteQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [WriteCommand] = []
    private var head = 0
    private var queuedRecords = 0
    private var queuedBytes = 0
    private var closed = false
    private var woken = false
    let capacityRecords: Int
    let capacityBytes: Int

    init(capacityRecords: Int, capacityBytes: Int) {
        self.capacityRecords = capacityRecords
        self.capacityBytes = capacityBytes
    }

    func enqueue(_ command: WriteCommand) throws(LedgerError) {
        condition.lock()
        defer { condition.unlock() }
        try checkRoomLocked(records: command.recordCount, bytes: command.byteCount)
        items.append(command)
        queuedRecords += command.recordCount
        queuedBytes += command.byteCount
        condition.signal()
    }

    /// Refuses now, as `enqueue` would, a command of at least this size: admission checks before its costly part
    /// (hashing, signature, decoding, sealing), so that an overloaded node does not spend that work on batches it
    /// refuses. Passing it promises nothing; `enqueue` decides.
    func checkRoom(records: Int, bytes: Int) throws(LedgerError) {
        condition.lock()
        defer { condition.unlock() }
        try checkRoomLocked(records: records, bytes: bytes)
    }

    private func checkRoomLocked(records: Int, bytes: Int) throws(LedgerError) {
        guard !closed else { throw LedgerError.shuttingDown }
        // One command larger than the whole queue still goes in when the queue is empty, or it could never run.
        let fits = queuedRecords + records <= capacityRecords && queuedBytes + bytes <= capacityBytes
        guard fits || queuedRecords == 0 else {
            throw LedgerError.overloaded(queued: queuedRecords, capacity: capacityRecords)
        }
    }

    /// Takes whole commands up to the limits (at least one). Waits up to `timeout` when empty.
    /// Returns nil once closed and drained.
    func take(maxRecords: Int, maxBytes: Int, timeout: Duration?) -> [WriteCommand]? {
        condition.lock()
        defer { condition.unlock() }
        if head == items.count && !closed && !woken {
            if let timeout {
                condition.wait(upTo: timeout)
            } else {
                while head == items.count && !closed && !woken { condition.wait() }
            }
        }
        woken = false
        if head == items.count { return closed ? nil : [] }
        var taken: [WriteCommand] = []
        var records = 0, bytes = 0
        while head < items.count {
            let next = items[head]
            if !taken.isEmpty && (records + next.recordCount > maxRecords || bytes + next.byteCount > maxBytes) { break }
            taken.append(next)
            records += next.recordCount
            bytes += next.byteCount
            head += 1
        }
        queuedRecords -= records
        queuedBytes -= bytes
        // Drop the taken commands now: a slot kept until some later compaction would pin their entries
        // (up to a whole batch each) long after the writer is done with them.
        items.removeFirst(head)
        head = 0
        return taken
    }

    /// Makes a waiting `take` return (empty): the committer is free, so the writer can hand on the group it holds.
    func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    /// Refuses new work; what is queued is still handed out.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var depth: (records: Int, bytes: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queuedRecords, queuedBytes)
    }
}
