import Foundation
import Synchronization
import YibaoCrypto

/// The node's audit log: a hash-chained, append-only LMDB store of `AuditEvent`s in its own environment
/// (`<data>/audit`), so that recording reads never waits for the ledger's single writer.
///
/// `record` returns once the event is durable: a read of personal data is answered only after its trace is on disk.
/// Events from many concurrent reads share one commit (group commit on the trail's own thread), so the cost per
/// read is a queue hop, not an fsync. When the backlog reaches `capacity` the read is refused (RESOURCE_EXHAUSTED)
/// rather than served unrecorded.
public final class AuditTrail: Sendable {
    public struct Configuration: Sendable {
        /// Events waiting for their commit before reads are refused.
        public var capacity = 65_536
        /// At most this many events per commit, except that the events of one `record(_:)` call share a commit.
        public var maxEventsPerCommit = 8_192
        public var durable = true
        public var initialMapSize = 64 << 20
        /// The map doubles up to this; a trail that cannot grow (this, or a full disk) refuses reads as
        /// RESOURCE_EXHAUSTED "storage full".
        public var maximumMapSize = LMDBEnvironment.Options().maximumMapSize
        public init() {}
    }

    public static let directoryName = "audit"

    public let directory: String
    let env: LMDBEnvironment
    let events: LMDBDatabase
    private let pending: AuditQueue
    private let thread: AuditWriterThread
    private let lock: FolderLock

    /// Opens (creating if needed) the trail under `<dataDirectory>/audit` and continues its chain.
    public init(dataDirectory: String, configuration: Configuration = Configuration()) throws {
        directory = dataDirectory + "/" + Self.directoryName
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        lock = try FolderLock(directory: directory)
        var options = LMDBEnvironment.Options()
        options.durable = configuration.durable
        options.mapSize = configuration.initialMapSize
        options.maximumMapSize = configuration.maximumMapSize
        env = try LMDBEnvironment(path: directory, options: options)
        events = try env.database(named: "events")
        let events = self.events
        let head = try env.read { txn -> (sequence: UInt64, link: Digest32)? in
            guard let last = try txn.last(events), let sequence = U64Key.decode(last.key), last.value.count >= 32 else { return nil }
            return (sequence, Digest32(unsafe: last.value.baseAddress!))
        }
        pending = AuditQueue(capacity: configuration.capacity)
        thread = AuditWriterThread(env: env, events: events, queue: pending, maxEventsPerCommit: configuration.maxEventsPerCommit,
                                   nextSequence: (head?.sequence ?? 0) + 1, previous: head?.link ?? .zero)
        thread.start()
    }

    /// Records one event and returns once it is durable (its sequence number).
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> UInt64 {
        try await record([event])
    }

    /// Records events together and returns once they are durable: one commit for all of them, with consecutive
    /// sequence numbers (the first is returned). A batch write with many refused records costs one commit, not one
    /// per record. Empty: nothing is written and 0 is returned.
    @discardableResult
    public func record(_ events: [AuditEvent]) async throws -> UInt64 {
        guard !events.isEmpty else { return 0 }
        let encoded = events.map(\.encoded)
        return try await withCheckedThrowingContinuation { continuation in
            do {
                try pending.enqueue(AuditQueue.Item(events: encoded, continuation: continuation))
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Transactions the trail has committed since it opened (each an fsync when durable).
    public var commitCount: UInt64 { thread.commits.load(ordering: .relaxed) }

    /// Events waiting for their commit (reads held until then); at `capacity` reads are refused.
    public var backlog: Int { pending.backlog }

    /// Events after `sequence` (from the first when nil), oldest first.
    public func events(after sequence: UInt64? = nil, limit: Int = 1_000) throws -> [(sequence: UInt64, event: AuditEvent)] {
        let events = self.events
        return try env.read { txn in
            var page: [(UInt64, AuditEvent)] = []
            try txn.forEach(events, from: (sequence ?? 0) + 1) { key, value in
                guard page.count < limit else { return false }
                page.append((key, try AuditEvent(decoding: UnsafeRawBufferPointer(rebasing: value.dropFirst(32)))))
                return true
            }
            return page
        }
    }

    /// The chain's latest sequence and link, as the ledger anchors it; nil while empty.
    public func head() throws -> AuditAnchor? {
        let events = self.events
        return try env.read { txn in
            guard let last = try txn.last(events), let sequence = U64Key.decode(last.key) else { return nil }
            return AuditAnchor(sequence: sequence, link: Digest32(unsafe: last.value.baseAddress!))
        }
    }

    public struct Verification: Sendable, Equatable {
        public var events = 0
        /// The first sequence whose link or bytes do not check out, and why.
        public var firstDivergence: (sequence: UInt64, reason: String)?
        public var isValid: Bool { firstDivergence == nil }

        public static func == (a: Self, b: Self) -> Bool {
            a.events == b.events && a.firstDivergence?.sequence == b.firstDivergence?.sequence
                && a.firstDivergence?.reason == b.firstDivergence?.reason
        }
    }

    /// Recomputes every link from the first event: a gap, an altered byte or a reordering is named by sequence.
    /// With the ledger's latest anchor (`Ledger.latestAuditAnchor()`, or an offline verifier report's), the trail
    /// must also still hold that event with that link: a lost tail or a rewritten chain contradicts the ledger.
    public func verify(anchor: AuditAnchor? = nil) throws -> Verification {
        let events = self.events
        return try env.read { txn in
            var result = Verification()
            var previous = Digest32.zero
            var expected: UInt64 = 1
            try txn.forEach(events, from: 1) { sequence, value in
                guard sequence == expected else {
                    result.firstDivergence = (expected, "event \(expected) is missing (the next stored is \(sequence))")
                    return false
                }
                guard value.count > 32, (try? AuditEvent(decoding: UnsafeRawBufferPointer(rebasing: value.dropFirst(32)))) != nil else {
                    result.firstDivergence = (sequence, "the stored event does not parse")
                    return false
                }
                let link = AuditChain.link(previous: previous, sequence: sequence, event: Array(value.dropFirst(32)))
                guard link == Digest32(unsafe: value.baseAddress!) else {
                    result.firstDivergence = (sequence, "the event's link does not match its recomputation (altered, removed or reordered)")
                    return false
                }
                previous = link
                expected += 1
                result.events += 1
                return true
            }
            if result.isValid, let anchor {
                if UInt64(result.events) < anchor.sequence {
                    result.firstDivergence = (UInt64(result.events) + 1, "the ledger anchors event \(anchor.sequence), "
                                              + "but the trail ends at \(result.events): its tail was lost or removed")
                } else if let stored = try txn.get(events, key: anchor.sequence),
                          Digest32(unsafe: stored.baseAddress!) != anchor.link {
                    result.firstDivergence = (anchor.sequence, "the trail's link at \(anchor.sequence) is not the one the ledger anchors: the chain was rewritten")
                }
            }
            return result
        }
    }

    /// Commits what is queued, refuses later events, closes the store and releases its folder.
    public func shutdown() {
        pending.close()
        thread.waitUntilFinished()
        env.close()
        lock.release()
    }
}
