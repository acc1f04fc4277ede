import Foundation
import YibaoCrypto

/// The one thread that writes. It drains whatever callers have queued (bounded), applies each command in order
/// inside one LMDB transaction, commits once (fsync), and only then answers everyone: group commit.
/// Between commits it merges the transaction-hash index and stores signed tree heads.
final class LedgerWriter: @unchecked Sendable {
    private let env: LMDBEnvironment
    private let schema: LedgerSchema
    private let nodes: MerkleNodeStore
    private let transactions: TransactionIndex
    private let upperTree: UpperTreeCache
    private let queue: WriteQueue
    private let signer: TreeHeadSigner
    private let configuration: LedgerConfiguration
    private let dataKey: NodeDataKey
    private let published: LedgerPublishedState
    /// The state machine's kinds by number, built once: `kinds` is computed and this is asked per record.
    private let ruledKinds: [UInt16: EntryKind]
    private let done = DispatchSemaphore(value: 0)

    // Owned by the writer thread after init.
    private var frontier: MerkleFrontier
    private var lastCommitTimeMs: UInt64
    private var indexedThrough: UInt64
    private var merge: (plan: [(Digest32, UInt64)], next: Int, through: UInt64)?

    init(env: LMDBEnvironment, schema: LedgerSchema, transactions: TransactionIndex, upperTree: UpperTreeCache, queue: WriteQueue,
         signer: TreeHeadSigner, configuration: LedgerConfiguration, dataKey: NodeDataKey, published: LedgerPublishedState,
         frontier: MerkleFrontier, lastCommitTimeMs: UInt64, indexedThrough: UInt64) {
        self.env = env
        self.schema = schema
        self.nodes = MerkleNodeStore(db: schema.merkle)
        self.transactions = transactions
        self.upperTree = upperTree
        self.queue = queue
        self.signer = signer
        self.configuration = configuration
        self.dataKey = dataKey
        self.published = published
        self.ruledKinds = Dictionary((configuration.stateMachine?.kinds ?? []).map { ($0.rawValue, $0) },
                                     uniquingKeysWith: { first, _ in first })
        self.frontier = frontier
        self.lastCommitTimeMs = lastCommitTimeMs
        self.indexedThrough = indexedThrough
    }

    func start() {
        DedicatedThread.start(named: Ledger.writerThreadName) { [self] in
            run()
            done.signal()
        }
    }

    /// Blocks until the writer has drained the (closed) queue and stored the last signed head.
    /// Any number of callers may wait: each passes the signal on.
    func waitUntilFinished() {
        done.wait()
        done.signal()
    }

    /// A signed head rides along with the next commit; only after this long without one is it stored on its own,
    /// so a steady trickle of writes does not pay a second fsync per commit.
    static let lonelyHeadDelay = Duration.milliseconds(20)

    private func run() {
        let clock = ContinuousClock()
        var lastCommit = clock.now
        while true {
            let mergeDue = merge != nil || transactions.pendingCount >= mergeThreshold
            let headsWaiting = signer.hasSigned
            let sinceCommit = clock.now - lastCommit
            let timeout: Duration = mergeDue ? .zero
                : headsWaiting ? max(.zero, Self.lonelyHeadDelay - sinceCommit) : .milliseconds(500)
            guard let group = queue.take(maxRecords: configuration.groupCommitMaxRecords,
                                         maxBytes: configuration.groupCommitMaxBytes, timeout: timeout) else { break }
            if group.isEmpty {
                if headsWaiting && clock.now - lastCommit >= Self.lonelyHeadDelay { storeSignedHeads() }
                if mergeDue { mergeStep() }
            } else {
                commit(group)
                lastCommit = clock.now
                if merge != nil || transactions.pendingCount >= mergeThreshold { mergeStep() }
            }
        }
        signer.stop()
        storeSignedHeads()
    }

    // MARK: group commit

    private struct GroupResult {
        var frontier: MerkleFrontier
        /// Registrations made earlier in this group: not yet published, already in force for what follows.
        var registrations: [String: OrgRegistration] = [:]
        var answers: [Answer]
        var newLeaves: [(Digest32, UInt64)]
        /// Roots of 1024 leaves and more completed by this group, for the in-memory upper tree.
        var upperRoots: [SubtreeRoot] = []
        var storedHeads: [SignedTreeHead]
    }

    private enum Answer {
        case batch([RecordOutcome])
        case batchFailed(LedgerError)
        case node(Receipt)
        case nodeFailed(LedgerError)
    }

    private func commit(_ group: [WriteCommand]) {
        let now = max(lastCommitTimeMs, UInt64(Date().timeIntervalSince1970 * 1000))
        let heads = signer.takeSigned()
        let result: GroupResult
        do {
            result = try env.write { txn in try apply(group, at: now, storing: heads, in: txn) }
        } catch {
            signer.returnUnstored(heads)
            let failure = (error as? LedgerError) ?? LedgerError.storage(error)
            for command in group { command.fail(failure) }
            return
        }
        // Durable from here on: adopt the new state, make the hashes findable, then answer.
        frontier = result.frontier
        lastCommitTimeMs = now
        transactions.addCommitted(result.newLeaves)
        upperTree.add(result.upperRoots)
        published.committed(size: frontier.size)
        for (command, answer) in zip(group, result.answers) {
            switch (command, answer) {
            case (.batch(let b), .batch(let outcomes)): b.continuation.resume(returning: outcomes)
            case (.batch(let b), .batchFailed(let error)): b.continuation.resume(throwing: error)
            case (.nodeEntry(_, _, _, _, let afterCommit, let c), .node(let receipt)):
                afterCommit()
                c.resume(returning: receipt)
            case (.nodeEntry(_, _, _, _, _, let c), .nodeFailed(let error)): c.resume(throwing: error)
            default: preconditionFailure("answer does not match its command")
            }
        }
        signer.submit(TreeHead(treeSize: frontier.size, timestampMs: now, root: frontier.root))
    }

    /// Runs inside the write transaction; may run again after the map grows, so it only touches local copies.
    private func apply(_ group: [WriteCommand], at time: UInt64, storing heads: [SignedTreeHead],
                       in txn: LMDBTransaction) throws -> GroupResult {
        var state = GroupResult(frontier: frontier, answers: [], newLeaves: [], storedHeads: heads)
        state.answers.reserveCapacity(group.count)
        // The state machine's view of this transaction, made once for the whole group.
        let machineState = StateTransaction(txn: txn, schema: schema, dataKey: dataKey)
        for head in heads { try storeHead(head, in: txn) }
        for command in group {
            switch command {
            case .batch(let batch):
                state.answers.append(try applyBatch(batch, at: time, state: &state, in: txn, machineState: machineState))
            case .nodeEntry(let kind, let requestId, let payload, let apply, _, _):
                do {
                    try apply(txn)
                    if kind == .orgRegistered, let registration = try? payload.withUnsafeBytes({ try OrgRegistration(decoding: $0) }) {
                        state.registrations[registration.code] = registration
                    }
                    // The index in the request id keeps two identical registrations from sharing a hash.
                    let entry = LedgerEntry(kind: kind.rawValue, org: configuration.nodeId,
                                            requestId: "\(requestId)@\(state.frontier.size)",
                                            position: 0, payload: payload).encoded
                    let index = try append(entry, leafHash: state.frontier.hashing.leafHash(entry), at: time, state: &state, in: txn)
                    state.answers.append(.node(Receipt(transactionHash: state.newLeaves.last!.0, index: index,
                                                       treeSize: index + 1, commitTimeMs: time)))
                } catch let error as LedgerError {
                    state.answers.append(.nodeFailed(error))
                }
            }
        }
        return state
    }

    private func applyBatch(_ batch: PreparedBatch, at time: UInt64, state: inout GroupResult,
                            in txn: LMDBTransaction, machineState: StateTransaction) throws -> Answer {
        let current = state.registrations[batch.org] ?? published.org(batch.org)?.registration
        guard current == batch.registration else {
            return .batchFailed(LedgerError(.unauthenticated,
                "org \(batch.org)'s registration changed while the batch waited to be written; sign and submit it again"))
        }
        let key = IdempotencyRecord.key(org: batch.org, requestId: batch.requestId)
        if let stored = try key.withUnsafeBytes({ try txn.get(schema.requests, key: $0) }) {
            return try replay(IdempotencyRecord(decoding: stored), for: batch, in: txn)
        }
        var sealOutcomes: [BatchSeal.Outcome] = []
        sealOutcomes.reserveCapacity(batch.recordCount)
        var landed: [(position: Int, index: UInt64)] = []
        var refusals: [(position: Int, error: LedgerError)] = []
        var repeats: [(position: Int, receipt: Receipt)] = []
        for position in 0..<batch.recordCount {
            if let refusal = batch.refusals[position] {
                refusals.append((position, refusal))
                sealOutcomes.append(.refused(leafHash: batch.leafHashes[position]))
                continue
            }
            switch try applyRules(batch, position: position, at: time, state: state, in: txn, machineState: machineState) {
            case .refused(let refusal):
                refusals.append((position, refusal))
                sealOutcomes.append(.refused(leafHash: batch.leafHashes[position]))
            case .repeated(let receipt):
                repeats.append((position, receipt))
                sealOutcomes.append(.refused(leafHash: batch.leafHashes[position]))
            case .append:
                let index = try append(batch.entries[position], leafHash: batch.leafHashes[position], at: time,
                                       state: &state, in: txn)
                landed.append((position, index))
                sealOutcomes.append(.landed(index: index))
            }
        }
        guard !landed.isEmpty else {
            // Nothing landed: no seal, no memory of the request id, so a corrected retry may reuse it.
            var outcomes = [RecordOutcome](repeating: .failure(LedgerError(.internal, "no outcome")), count: batch.recordCount)
            for (position, error) in refusals { outcomes[position] = .failure(error) }
            for (position, receipt) in repeats { outcomes[position] = .success(receipt) }
            return .batch(outcomes)
        }
        let seal = BatchSeal(commitTimeMs: time, outcomes: sealOutcomes, authentication: batch.authentication,
                             signature: batch.signature)
        let sealEntry = LedgerEntry(kind: EntryKind.batchSeal.rawValue, org: batch.org, requestId: batch.requestId,
                                    position: BatchSeal.position, payload: seal.encoded).encoded
        let sealIndex = try append(sealEntry, leafHash: state.frontier.hashing.leafHash(sealEntry), at: time,
                                   state: &state, in: txn)
        let record = IdempotencyRecord(sealIndex: sealIndex, batchDigest: batch.digest, refusals: refusals)
        try key.withUnsafeBytes { k in try record.encoded.withUnsafeBytes { try txn.put(schema.requests, key: k, value: $0) } }
        var outcomes = Self.outcomes(count: batch.recordCount, landed: landed, refusals: refusals,
                                     leafHash: { batch.leafHashes[$0] }, sealIndex: sealIndex, time: time)
        for (position, receipt) in repeats { outcomes[position] = .success(receipt) }
        return .batch(outcomes)
    }

    private enum RuleVerdict {
        case append
        case refused(LedgerError)
        case repeated(Receipt)
    }

    /// The state machine's say on one admitted record; kinds without rules (attestations) just append.
    private func applyRules(_ batch: PreparedBatch, position: Int, at time: UInt64, state: GroupResult,
                            in txn: LMDBTransaction, machineState: StateTransaction) throws -> RuleVerdict {
        guard let machine = configuration.stateMachine,
              let kind = ruledKinds[batch.kinds[position]] else { return .append }
        let record = AppliedRecord(index: state.frontier.size, kind: kind,
                                   org: OrgIdentity(code: batch.org, role: batch.registration.role),
                                   payload: batch.payloads[position], transactionHash: batch.leafHashes[position],
                                   commitTimeMs: time, position: position, admitted: batch.admitted[position])
        do {
            switch try machine.apply(record, in: machineState) {
            case .append:
                return .append
            case .alreadyRecorded(let index):
                guard let stored = try txn.get(schema.entries, key: index), stored.count >= 8 else {
                    throw LedgerError(.dataLoss, "the state names entry \(index), which is missing")
                }
                return .repeated(Receipt(transactionHash: try nodes.leafHash(at: index, in: txn), index: index,
                                         treeSize: state.frontier.size,
                                         commitTimeMs: UInt64(bigEndian: stored.loadUnaligned(as: UInt64.self))))
            }
        } catch let refusal as LedgerError where refusal.code != .dataLoss {
            return .refused(refusal)
        }
    }

    /// A retry: the original answers, rebuilt from the seal; a different batch under the same id is refused.
    private func replay(_ record: IdempotencyRecord, for batch: PreparedBatch, in txn: LMDBTransaction) throws -> Answer {
        guard record.batchDigest == batch.digest else {
            return .batchFailed(LedgerError(.alreadyExists,
                "request id '\(batch.requestId)' of org \(batch.org) was already used for a different batch (sealed at index \(record.sealIndex))"))
        }
        guard let stored = try txn.get(schema.entries, key: record.sealIndex) else {
            throw LedgerError(.dataLoss, "seal entry \(record.sealIndex) named by request '\(batch.requestId)' is missing")
        }
        let entry = try LedgerEntry(decoding: UnsafeRawBufferPointer(rebasing: stored.dropFirst(8)))
        let seal = try entry.payload.withUnsafeBytes { try BatchSeal(decoding: $0) }
        var landed: [(position: Int, index: UInt64)] = []
        for (position, outcome) in seal.outcomes.enumerated() {
            if case .landed(let index) = outcome { landed.append((position, index)) }
        }
        return .batch(Self.outcomes(count: seal.outcomes.count, landed: landed, refusals: record.refusals,
                                    leafHash: { batch.leafHashes[$0] }, sealIndex: record.sealIndex, time: seal.commitTimeMs))
    }

    private static func outcomes(count: Int, landed: [(position: Int, index: UInt64)],
                                 refusals: [(position: Int, error: LedgerError)], leafHash: (Int) -> Digest32,
                                 sealIndex: UInt64, time: UInt64) -> [RecordOutcome] {
        var outcomes = [RecordOutcome](repeating: .failure(LedgerError(.internal, "no outcome")), count: count)
        for (position, index) in landed {
            outcomes[position] = .success(Receipt(transactionHash: leafHash(position), index: index,
                                                  treeSize: sealIndex + 1, commitTimeMs: time))
        }
        for (position, error) in refusals { outcomes[position] = .failure(error) }
        return outcomes
    }

    /// Appends one entry and its Merkle nodes; both keys are the next index, so both inserts append.
    private func append(_ entry: [UInt8], leafHash: Digest32, at time: UInt64, state: inout GroupResult,
                        in txn: LMDBTransaction) throws -> UInt64 {
        let index = state.frontier.size
        try txn.putReserving(schema.entries, key: index, size: 8 + entry.count, flags: LMDBFlags.append) { out in
            out.storeBytes(of: time.bigEndian, toByteOffset: 0, as: UInt64.self)
            entry.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[8...]).copyMemory(from: $0) }
        }
        let completed = state.frontier.append(leafHash)
        try nodes.append(leafIndex: index, completed: completed, in: txn)
        if completed.count > UpperTreeCache.lowestLevel {
            state.upperRoots.append(contentsOf: completed[UpperTreeCache.lowestLevel...])
        }
        state.newLeaves.append((leafHash, index))
        return index
    }

    // MARK: tree heads

    private func storeHead(_ head: SignedTreeHead, in txn: LMDBTransaction) throws {
        // A head re-signed after a restart may repeat a stored size; the first stays.
        guard try txn.get(schema.heads, key: head.head.treeSize) == nil else { return }
        try head.encoded.withUnsafeBytes { try txn.put(schema.heads, key: head.head.treeSize, value: $0) }
    }

    private func storeSignedHeads() {
        let heads = signer.takeSigned()
        guard !heads.isEmpty else { return }
        do {
            try env.write { txn in for head in heads { try storeHead(head, in: txn) } }
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
