import Foundation
import YibaoCrypto

/// The thread that commits: it replays each group the writer applied into one LMDB write transaction, commits it
/// (fsync), and only then publishes the group and answers its callers. While it waits for the disk, the writer
/// applies the next group. Between commits it merges the transaction-hash index and stores signed tree heads that
/// found no group to ride with.
final class LedgerCommitter: @unchecked Sendable {
    private let env: LMDBEnvironment
    private let schema: LedgerSchema
    private let transactions: TransactionIndex
    private let upperTree: UpperTreeCache
    private let handOff: CommitHandOff
    private let queue: WriteQueue
    private let signer: TreeHeadSigner
    private let configuration: LedgerConfiguration
    private let published: LedgerPublishedState
    private let done = DispatchSemaphore(value: 0)
    private let metrics: LedgerMetrics

    // Owned by the committer thread after init.
    private var indexedThrough: UInt64
    private var merge: (plan: [(Digest32, UInt64)], next: Int, through: UInt64)?

    init(env: LMDBEnvironment, schema: LedgerSchema, transactions: TransactionIndex, upperTree: UpperTreeCache,
         handOff: CommitHandOff, queue: WriteQueue, signer: TreeHeadSigner, configuration: LedgerConfiguration,
         published: LedgerPublishedState, indexedThrough: UInt64) {
        self.env = env
        self.schema = schema
        self.transactions = transactions
        self.upperTree = upperTree
        self.handOff = handOff
        self.queue = queue
        self.signer = signer
        self.configuration = configuration
        self.published = published
        self.indexedThrough = indexedThrough
        self.metrics = LedgerMetrics(factory: configuration.metricsFactory)
    }

    func start() {
        DedicatedThread.start(named: Ledger.committerThreadName) { [self] in
            run()
            done.signal()
        }
    }

    /// Blocks until the committer has ended (after `CommitHandOff.finish`) and stored the last signed head.
    func waitUntilFinished() {
        done.wait()
        done.signal()
    }

    /// A signed head rides along with the next group; only after this long without one is it stored on its own,
    /// so a steady trickle of writes does not pay a second fsync per commit.
    static let lonelyHeadDelay = Duration.milliseconds(20)

    private func run() {
        let clock = ContinuousClock()
        var lastCommit = clock.now
        while true {
            let mergeDue = merge != nil || transactions.pendingCount >= mergeThreshold
            let headsWaiting = signer.hasSigned
            let timeout: Duration = mergeDue ? .zero
                : headsWaiting ? max(.zero, Self.lonelyHeadDelay - (clock.now - lastCommit)) : .milliseconds(500)
            switch handOff.next(timeout: timeout) {
            case .group(let group):
                commit(group)
                lastCommit = clock.now
                // The writer may be waiting for this commit to hand on the group it applied meanwhile.
                queue.wake()
                if merge != nil || transactions.pendingCount >= mergeThreshold { mergeStep() }
            case .idle:
                if headsWaiting && clock.now - lastCommit >= Self.lonelyHeadDelay { storeSignedHeads() }
                if mergeDue { mergeStep() }
            case .finished:
                signer.stop()
                storeSignedHeads()
                return
            }
        }
    }

    private func commit(_ group: AppliedGroup) {
        let start = ContinuousClock.now
        var replayed = start
        do {
            try env.write { txn in
                try group.layer.replay(into: txn)
                replayed = .now
            }
        } catch {
            metrics.groupsFailed.increment()
            group.abandon(error, returningHeadsTo: signer)
            handOff.done(committedUpTo: nil)
            return
        }
        metrics.record(group: group.recordCount, replay: replayed - start, commit: .now - replayed)
        // Durable from here on: make the hashes findable, publish the new size, then answer. The writer learns
        // of the commit last, once the group's registrations are published for the groups it applies next.
        transactions.addCommitted(group.newLeaves)
        upperTree.add(group.upperRoots)
        published.committed(size: group.frontier.size)
        group.answerAll()
        handOff.done(committedUpTo: group.frontier)
        signer.submit(TreeHead(treeSize: group.frontier.size, timestampMs: group.timeMs, root: group.frontier.root))
    }

    // MARK: tree heads

    private func storeSignedHeads() {
        let heads = signer.takeSigned()
        guard !heads.isEmpty else { return }
        do {
            try env.write { txn in for head in heads { try schema.storeHead(head, in: txn) } }
        } catch {
            signer.returnUnstored(heads)
        }
    }

    // MARK: transaction-hash index merge

    private var mergeThreshold: Int {
        max(configuration.hashIndexFlushMinimum, Int(indexedThrough / 32))
    }

    /// One slice of the merge per call, so a commit never waits behind a whole merge.
    private func mergeStep() {
        if merge == nil {
            guard transactions.pendingCount >= mergeThreshold else { return }
            let plan = transactions.pendingSortedByHash()
            let through = plan.map(\.1).max().map { $0 + 1 } ?? indexedThrough
            merge = (plan, 0, through)
        }
        guard let current = merge else { return }
        let end = min(current.plan.count, current.next + configuration.hashIndexFlushSlice)
        let last = end == current.plan.count
        do {
            try env.write { txn in
                try transactions.insert(current.plan[current.next..<end], in: txn)
                if last { try schema.setMeta(.transactionsIndexedThrough, current.through, in: txn) }
            }
        } catch {
            // The hashes stay pending and findable; the merge is retried from this slice.
            return
        }
        if last {
            transactions.forgetMerged(current.plan)
            indexedThrough = current.through
            merge = nil
        } else {
            merge = (current.plan, end, current.through)
        }
    }
}
