import Foundation
import YibaoCrypto

/// The thread that applies writes, in order: it drains whatever callers have queued (bounded) and runs each
/// command against the state, collecting the group's writes in a layer (`AppliedGroup`). The committer commits the
/// group (fsync) and answers everyone: group commit. While one group commits, the writer applies the next over it
/// (`LMDBWriteOverlay`), and hands it on as soon as the committer is free, so the disk's wait and the rules' work
/// overlap instead of taking turns.
final class LedgerWriter: @unchecked Sendable {
    private let env: LMDBEnvironment
    private let schema: LedgerSchema
    private let nodes: MerkleNodeStore
    private let queue: WriteQueue
    private let handOff: CommitHandOff
    private let committer: LedgerCommitter
    private let signer: TreeHeadSigner
    private let configuration: LedgerConfiguration
    private let dataKey: NodeDataKey
    private let published: LedgerPublishedState
    /// The state machine's kinds by number, built once: `kinds` is computed and this is asked per record.
    private let ruledKinds: [UInt16: EntryKind]
    private let done = DispatchSemaphore(value: 0)

    // Owned by the writer thread after init.
    /// The tree as of the last group handed to the committer (committed or not).
    private var frontier: MerkleFrontier
    private var lastCommitTimeMs: UInt64
    /// The group handed to the committer last, while it may still be committing.
    private var under: AppliedGroup?

    init(env: LMDBEnvironment, schema: LedgerSchema, transactions: TransactionIndex, upperTree: UpperTreeCache, queue: WriteQueue,
         handOff: CommitHandOff, signer: TreeHeadSigner, configuration: LedgerConfiguration, dataKey: NodeDataKey,
         published: LedgerPublishedState, frontier: MerkleFrontier, lastCommitTimeMs: UInt64, indexedThrough: UInt64) {
        self.env = env
        self.schema = schema
        self.nodes = MerkleNodeStore(db: schema.merkle)
        self.queue = queue
        self.handOff = handOff
        self.committer = LedgerCommitter(env: env, schema: schema, transactions: transactions, upperTree: upperTree,
                                         handOff: handOff, queue: queue, signer: signer, configuration: configuration,
                                         published: published, indexedThrough: indexedThrough)
        self.signer = signer
        self.configuration = configuration
        self.dataKey = dataKey
        self.published = published
        self.ruledKinds = Dictionary((configuration.stateMachine?.kinds ?? []).map { ($0.rawValue, $0) },
                                     uniquingKeysWith: { first, _ in first })
        self.frontier = frontier
        self.lastCommitTimeMs = lastCommitTimeMs
    }

    func start() {
        committer.start()
        DedicatedThread.start(named: Ledger.writerThreadName) { [self] in
            run()
            handOff.finish()
            committer.waitUntilFinished()
            done.signal()
        }
    }

    /// Blocks until the writer has drained the (closed) queue, the committer has committed it and stored the last
    /// signed head. Any number of callers may wait: each passes the signal on.
    func waitUntilFinished() {
        done.wait()
        done.signal()
    }

    private func run() {
        var live: AppliedGroup?
        while true {
            if let group = live, group.recordCount >= configuration.groupCommitMaxRecords
                || group.byteCount >= configuration.groupCommitMaxBytes || !handOff.isBusy {
                handOver(group)
                live = nil
                continue
            }
            // Blocks until there is work, the queue closes, or the committer finishes a group (it wakes the queue).
            let room = (records: configuration.groupCommitMaxRecords - (live?.recordCount ?? 0),
                        bytes: configuration.groupCommitMaxBytes - (live?.byteCount ?? 0))
            guard let taken = queue.take(maxRecords: room.records, maxBytes: room.bytes, timeout: nil) else { break }
            if !taken.isEmpty { apply(taken, to: &live) }
        }
        if let group = live { handOver(group) }
        _ = handOff.waitUntilIdle()
    }

    // MARK: group commit

    /// A new group over the one handed on last.
    private func newGroup() -> AppliedGroup {
        let time = max(lastCommitTimeMs, UInt64(Date().timeIntervalSince1970 * 1000))
        return AppliedGroup(timeMs: time, heads: signer.takeSigned(), frontier: frontier,
                            inheritedRegistrations: under?.registrations ?? [:])
    }

    /// Applies commands to the live group, starting one if there is none. Each command runs from a savepoint: one
    /// that throws (damaged state, a storage read error) is rolled back and fails alone; the others land.
    private func apply(_ commands: [WriteCommand], to live: inout AppliedGroup?) {
        let starting = live == nil
        var group = live ?? newGroup()
        do {
            try apply(commands, to: &group, storingHeads: starting)
        } catch {
            // Nothing of these commands ran; a group started for them holds at most part of its heads.
            for command in commands { command.fail(error) }
            if starting { signer.returnUnstored(group.heads) }
            return
        }
        if group.commands.isEmpty {
            signer.returnUnstored(group.heads)
            live = nil
        } else {
            live = group
        }
    }

    /// Waits for the committer, then hands it the group. If the group under this one failed to commit, this one
    /// was applied over writes that never landed: it is applied again over the store as committed.
    private func handOver(_ applied: AppliedGroup) {
        var group = applied
        group.layer.prepareReplay()
        let (lastFailed, committed) = handOff.waitUntilIdle()
        if lastFailed, under != nil {
            under = nil
            frontier = committed
            var again = AppliedGroup(timeMs: group.timeMs, heads: group.heads, frontier: committed, inheritedRegistrations: [:])
            do {
                try apply(group.commands, to: &again, storingHeads: true)
            } catch {
                group.abandon(error, returningHeadsTo: signer)
                return
            }
            guard !again.commands.isEmpty else {
                signer.returnUnstored(again.heads)
                return
            }
            again.layer.prepareReplay()
            group = again
        }
        frontier = group.frontier
        lastCommitTimeMs = group.timeMs
        under = group
        handOff.hand(group)
    }

    /// Applies commands in one read snapshot, seen through the group's layer over the one committing. Throws only if
    /// the snapshot cannot be opened or the heads cannot be stored, before any command ran.
    private func apply(_ commands: [WriteCommand], to group: inout AppliedGroup, storingHeads: Bool) throws {
        try env.read { snapshot in
            let txn = LMDBTransaction(handle: snapshot.handle,
                                      overlay: LMDBWriteOverlay(live: group.layer, committing: under?.layer))
            if storingHeads { for head in group.heads { try schema.storeHead(head, in: txn) } }
            applyEach(commands, to: &group, in: txn)
        }
    }

    /// Runs the commands against the state in `txn` (the writer's pipelined view), adding their writes to the group's
    /// layer and their answers to the group. A command that throws has its writes rolled back and its caller failed.
    private func applyEach(_ commands: [WriteCommand], to group: inout AppliedGroup, in txn: LMDBTransaction) {
        group.answers.reserveCapacity(group.answers.count + commands.count)
        // The state machine's view of the group, made once per call.
        let machineState = StateTransaction(txn: txn, schema: schema, dataKey: dataKey,
                                            hashing: MerkleHashing(configuration.hashAlgorithm))
        for command in commands {
            let checkpoint = group.checkpoint()
            do {
                group.answers.append(try apply(command, to: &group, in: txn, machineState: machineState))
                group.add(command)
            } catch {
                group.rollBack(to: checkpoint)
                command.fail(error)
            }
        }
    }

    private func apply(_ command: WriteCommand, to group: inout AppliedGroup, in txn: LMDBTransaction,
                       machineState: StateTransaction) throws -> AppliedGroup.Answer {
        let time = group.timeMs
        switch command {
        case .batch(let batch):
            return try applyBatch(batch, at: time, state: &group, in: txn, machineState: machineState)
        case .nodeEntry(let kind, let requestId, let payload, let apply, _, _):
            try apply(txn)
            if kind == .orgRegistered, let registration = try? payload.withUnsafeBytes({ try OrgRegistration(decoding: $0) }) {
                group.registrations[registration.code] = registration
            }
            // The index in the request id keeps two identical registrations from sharing a hash.
            let entry = LedgerEntry(kind: kind.rawValue, org: configuration.nodeId,
                                    requestId: "\(requestId)@\(group.frontier.size)",
                                    position: 0, payload: payload).encoded
            let index = try append(entry, leafHash: group.frontier.hashing.leafHash(entry), at: time, state: &group, in: txn)
            return .node(Receipt(transactionHash: group.newLeaves.last!.0, index: index, treeSize: index + 1,
                                 commitTimeMs: time))
        }
    }

    private func applyBatch(_ batch: PreparedBatch, at time: UInt64, state: inout AppliedGroup,
                            in txn: LMDBTransaction, machineState: StateTransaction) throws -> AppliedGroup.Answer {
        let current = state.unpublishedRegistration(of: batch.org) ?? published.org(batch.org)?.registration
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
            // A repeat inside one batch needs its original to have landed in it; here nothing did.
            assert(repeats.allSatisfy { $0.receipt.treeSize != 0 }, "a repeat of a record of a batch that landed nothing")
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
        for (position, receipt) in repeats {
            // A repeat of a record this batch landed shares this batch's commit, so its seal.
            outcomes[position] = .success(receipt.treeSize != 0 ? receipt
                : Receipt(transactionHash: receipt.transactionHash, index: receipt.index, treeSize: sealIndex + 1,
                          commitTimeMs: receipt.commitTimeMs))
        }
        return .batch(outcomes)
    }

    private enum RuleVerdict {
        case append
        case refused(LedgerError)
        case repeated(Receipt)
    }

    /// The state machine's say on one admitted record; kinds without rules (attestations) just append.
    private func applyRules(_ batch: PreparedBatch, position: Int, at time: UInt64, state: AppliedGroup,
                            in txn: LMDBTransaction, machineState: StateTransaction) throws -> RuleVerdict {
        guard let admitted = batch.admitted, let kind = ruledKinds[batch.kinds[position]] else { return .append }
        let record = AppliedRecord(index: state.frontier.size, kind: kind,
                                   org: OrgIdentity(code: batch.org, role: batch.registration.role),
                                   payload: batch.payloads[position], transactionHash: batch.leafHashes[position],
                                   commitTimeMs: time, position: position)
        do {
            switch try admitted.apply(record, at: position, in: machineState) {
            case .append:
                return .append
            case .alreadyRecorded(let index):
                guard let stored = try txn.get(schema.entries, key: index), stored.count >= 8 else {
                    throw LedgerError(.dataLoss, "the state names entry \(index), which is missing")
                }
                return .repeated(Receipt(transactionHash: try nodes.leafHash(at: index, in: txn), index: index,
                                         treeSize: try originalTreeSize(ofEntry: index, in: txn),
                                         commitTimeMs: UInt64(bigEndian: stored.loadUnaligned(as: UInt64.self))))
            }
        } catch let refusal as LedgerError where refusal.code != .dataLoss {
            return .refused(refusal)
        }
    }

    /// The tree size the original receipt of the entry at `index` named: its batch seal's index + 1, found through
    /// the idempotency record of the batch that wrote it. 0 when that batch is the one being applied (a record
    /// repeated inside one batch): `applyBatch` fills in this batch's seal once it is appended.
    private func originalTreeSize(ofEntry index: UInt64, in txn: LMDBTransaction) throws -> UInt64 {
        let reader = EntryPayloadReader(txn: txn, schema: schema, sealing: EntrySealing(dataKey: dataKey),
                                       hashing: MerkleHashing(configuration.hashAlgorithm))
        guard let entry = try reader.entry(at: index)?.decoded() else {
            throw LedgerError(.dataLoss, "the state names entry \(index), which is missing")
        }
        let key = IdempotencyRecord.key(org: entry.org, requestId: entry.requestId)
        guard let value = try key.withUnsafeBytes({ try txn.get(schema.requests, key: $0) }) else { return 0 }
        let record = try IdempotencyRecord(decoding: value)
        guard record.sealIndex > index else {
            throw LedgerError(.dataLoss, "entry \(index) names request '\(entry.requestId)' of org \(entry.org), whose seal at \(record.sealIndex) precedes it")
        }
        return record.sealIndex + 1
    }

    /// A retry: the original answers, rebuilt from the seal; a different batch under the same id is refused.
    private func replay(_ record: IdempotencyRecord, for batch: PreparedBatch, in txn: LMDBTransaction) throws -> AppliedGroup.Answer {
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
    private func append(_ entry: [UInt8], leafHash: Digest32, at time: UInt64, state: inout AppliedGroup,
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
}
