import Foundation
import Synchronization
import YibaoCrypto

/// The trail's one writer: takes whatever is queued, chains and appends it in one transaction, commits (fsync when
/// durable), then resumes every waiting read. A failed commit fails its events' reads; the chain continues from
/// the last committed link.
final class AuditWriterThread: @unchecked Sendable {  // `nextSequence` and `previous` are touched by the thread only
    private let env: LMDBEnvironment
    private let events: LMDBDatabase
    private let queue: AuditQueue
    private let maxEventsPerCommit: Int
    private var nextSequence: UInt64
    private var previous: Digest32
    private let finished = DispatchSemaphore(value: 0)
    /// Transactions committed so far: what recording costs in fsyncs.
    let commits = Atomic<UInt64>(0)

    init(env: LMDBEnvironment, events: LMDBDatabase, queue: AuditQueue, maxEventsPerCommit: Int,
         nextSequence: UInt64, previous: Digest32) {
        self.env = env
        self.events = events
        self.queue = queue
        self.maxEventsPerCommit = maxEventsPerCommit
        self.nextSequence = nextSequence
        self.previous = previous
    }

    func start() {
        DedicatedThread.start(named: "yibao-audit") { [self] in
            while let batch = queue.take(maxEvents: maxEventsPerCommit) { commit(batch) }
            finished.signal()
        }
    }

    func waitUntilFinished() { finished.wait() }

    private func commit(_ batch: [AuditQueue.Item]) {
        var sequence = nextSequence
        var link = previous
        var stored: [(UInt64, [UInt8])] = []
        var firstSequences: [UInt64] = []
        firstSequences.reserveCapacity(batch.count)
        for item in batch {
            firstSequences.append(sequence)
            for event in item.events {
                link = AuditChain.link(previous: link, sequence: sequence, event: event)
                stored.append((sequence, AuditChain.stored(link: link, event: event)))
                sequence += 1
            }
        }
        do {
            let events = self.events
            try env.write { txn in
                for (key, value) in stored {
                    try value.withUnsafeBytes { try txn.put(events, key: key, value: $0, flags: LMDBFlags.append) }
                }
            }
        } catch {
            // Out of room is an operator's to fix, as for the ledger's writes; any other failure may pass.
            let what = "the audit trail could not store the read's trace"
            let failure = LedgerError.storageFull(error) { "\(what): \($0)" } ?? LedgerError(.unavailable, "\(what): \(error)")
            for item in batch { item.continuation.resume(throwing: failure) }
            return
        }
        nextSequence = sequence
        previous = link
        commits.add(1, ordering: .relaxed)
        for (item, first) in zip(batch, firstSequences) { item.continuation.resume(returning: first) }
    }
}
