import Foundation
import YibaoCrypto

/// The ledger engine: an append-only log of entries in LMDB, an SM3 Merkle tree over them (RFC 9162),
/// a signed tree head after every commit, and group commit by two threads (the writer applies groups, the
/// committer commits them; docs/ledger.md). Writes are request batches signed by an org; reads (entries, proofs,
/// heads) run on any thread against LMDB snapshots.
public final class Ledger: Sendable {
    /// The kernel's name (comm) of the one writer thread, so a profile or benchmark can single out its CPU time.
    public static let writerThreadName = "yibao-writer"
    /// The thread that commits what the writer applied (`LedgerCommitter`); named for profiles like the writer.
    public static let committerThreadName = "yibao-committer"

    public let configuration: LedgerConfiguration
    public let nodePublicKey: SM2PublicKey
    public let hashing: MerkleHashing
    public let directory: String
    /// Seals the PII of entries and state at rest (`DataKeyFile`).
    package let dataKey: NodeDataKey
    let env: LMDBEnvironment
    let schema: LedgerSchema
    let nodes: MerkleNodeStore
    let transactions: TransactionIndex
    let upperTree: UpperTreeCache
    let published: LedgerPublishedState
    /// Damage found in the store (at the start check or by a read): once set, writes are refused.
    let integrity = LedgerIntegrity()
    /// The check run as the ledger opened and how long it took (`LedgerConfiguration.startCheck`), for the node's log.
    public let startCheck: (mode: LedgerStartCheckMode, duration: Duration)
    /// Internal so that tests can queue commands the public API never makes (a node entry that fails halfway).
    let queue: WriteQueue
    private let writer: LedgerWriter
    private let folderLock: FolderLock

    /// Opens the ledger in `directory`, creating it (with its genesis entry) if empty.
    /// Refuses a folder another process holds, a node key other than the one in genesis, a data key
    /// (`DataKeyFile`) other than the one the store is sealed with, and a `data.mdb` shorter than LMDB's meta pages
    /// claim (`LMDBFileCheck`). Damage the start check finds (`configuration.startCheck`) does not stop it from
    /// opening: the ledger opens read-only for writes and `damage` says what was found.
    public init(directory: String, nodeKey: SM2PrivateKey, configuration: LedgerConfiguration = LedgerConfiguration()) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.configuration = configuration
        self.hashing = MerkleHashing(configuration.hashAlgorithm)
        self.nodePublicKey = nodeKey.publicKey
        folderLock = try FolderLock(directory: directory)

        var options = LMDBEnvironment.Options()
        options.durable = configuration.durable
        options.mapSize = configuration.initialMapSize
        options.maximumMapSize = configuration.maximumMapSize
        env = try LMDBEnvironment(path: directory, options: options)
        schema = try LedgerSchema(env, stateDatabases: configuration.stateMachine?.databaseNames ?? [])
        nodes = MerkleNodeStore(db: schema.merkle)
        transactions = TransactionIndex(db: schema.transactions)
        dataKey = try DataKeyFile.openForStore(directory: directory, env: env, schema: schema)
        // Locals for the closures below, which may not capture `self` before it is initialized.
        let (env, schema, integrity) = (self.env, self.schema, self.integrity)

        // What recovery cannot read (a damaged page under genesis, the frontier or the newest entry) stops the open
        // with `dataLoss` in words: without those the node cannot even serve reads.
        let recovered: LedgerRecovery.Result
        do {
            recovered = try integrity.checking("opening the store (recovery)") {
                try LedgerRecovery(env: env, schema: schema, nodeKey: nodeKey, configuration: configuration).run()
            }
        } catch let error as FormatError {
            throw LedgerError(.dataLoss, "opening the store (recovery): a stored record does not decode (\(error)); data.mdb is damaged")
        }
        published = LedgerPublishedState(size: recovered.frontier.size)
        for org in recovered.orgs { published.register(org) }
        transactions.addCommitted(recovered.unindexed)
        let upperTree = UpperTreeCache()
        let nodes = self.nodes
        try integrity.checking("opening the store (the upper Merkle tree)") {
            try env.read { txn in try upperTree.load(size: recovered.frontier.size) { try nodes.subtreeRoot($0, in: txn) } }
        }
        self.upperTree = upperTree
        let check = LedgerStartCheck(env: env, schema: schema, hashing: hashing, nodeKey: nodeKey.publicKey,
                                     sealing: EntrySealing(dataKey: dataKey), frontier: recovered.frontier)
        let verifier = LedgerVerifier(directory: directory, hashAlgorithm: hashing.algorithm, expectedNodeKey: nodeKey.publicKey,
                                      stateMachine: configuration.stateMachine, dataKey: dataKey)
        let clock = ContinuousClock(), checkStarted = clock.now
        let found = try check.run(configuration.startCheck, verifier: verifier)
        self.startCheck = (configuration.startCheck, clock.now - checkStarted)
        if let damage = found {
            integrity.record(damage, foundBy: .startCheck)
        } else if let head = recovered.latestHead {
            // Checked above (signature, and root against the stored nodes): served from memory from now on.
            published.signed(head)
        }

        queue = WriteQueue(capacityRecords: configuration.queueCapacityRecords, capacityBytes: configuration.queueCapacityBytes)
        let published = self.published
        let queue = self.queue
        let handOff = CommitHandOff(committed: recovered.frontier)
        let signer = TreeHeadSigner(key: nodeKey, interval: configuration.treeHeadInterval) { head in
            published.signed(head)
            handOff.wake()  // so an idle committer stores it
        }
        writer = LedgerWriter(env: env, schema: schema, transactions: transactions, upperTree: upperTree, queue: queue,
                              handOff: handOff, signer: signer, configuration: configuration, dataKey: dataKey,
                              published: published,
                              frontier: recovered.frontier,
                              lastCommitTimeMs: recovered.lastCommitTimeMs, indexedThrough: recovered.indexedThrough)
        writer.start()
        // A damaged store gets no new head: the node would sign bytes nobody committed to.
        if recovered.needsHead, integrity.damage == nil { signer.submit(recovered.currentHead) }
    }

    /// Stops taking writes, commits everything already queued, stores the last signed head, closes the store
    /// and releases the folder. Reads after it fail.
    public func shutdown() {
        queue.close()
        writer.waitUntilFinished()
        env.close()
        folderLock.release()
    }

    /// The offline check (`LedgerVerifier`) run against this open ledger's current snapshot.
    public func verify(expectedNodeKey: SM2PublicKey? = nil) throws -> LedgerVerifier.Report {
        try LedgerVerifier(directory: directory, hashAlgorithm: hashing.algorithm, expectedNodeKey: expectedNodeKey,
                           stateMachine: configuration.stateMachine, dataKey: dataKey)
            .verify(env: env, schema: schema)
    }

    // MARK: writing

    /// Submits a signed request batch and waits for its durable outcome, one per record in order.
    /// Throws for the batch as a whole (bad shape, unknown org, bad signature, overloaded, reused request id).
    public func submit(_ batch: SignedBatch) async throws -> [RecordOutcome] {
        try integrity.checkWritable()
        let check = try BatchAdmission(configuration: configuration, hashing: hashing, published: published, dataKey: dataKey,
                                       queue: queue).admit(batch)
        return try await recordingDamage { try await withCheckedThrowingContinuation { continuation in
            let prepared = PreparedBatch(org: batch.org, requestId: batch.requestId, entries: check.entries,
                                         kinds: batch.records.map(\.kind), payloads: batch.records.map(\.payload),
                                         admitted: check.admitted,
                                         leafHashes: check.leafHashes, refusals: check.refusals,
                                         signature: batch.signature, authentication: batch.authentication,
                                         registration: check.registration, digest: check.digest,
                                         continuation: continuation)
            do {
                try queue.enqueue(.batch(prepared))
            } catch {
                continuation.resume(throwing: error)
            }
        } }
    }

    /// Adds an org to the registry (or replaces its key); the registration is itself a ledger entry.
    @discardableResult
    public func registerOrg(code: String, role: String, publicKey: SM2PublicKey) async throws -> Receipt {
        try integrity.checkWritable()
        try BatchAdmission.checkOrgCode(code)
        guard !role.isEmpty, role.utf8.count <= 32 else {
            throw LedgerError(.invalidArgument, "role must be 1 to 32 bytes, got \(role.utf8.count)")
        }
        let registration = OrgRegistration(code: code, role: role, publicKeyDER: publicKey.derRepresentation)
        let payload = registration.encoded
        let schema = self.schema
        let published = self.published
        return try await withCheckedThrowingContinuation { continuation in
            let command = WriteCommand.nodeEntry(
                kind: .orgRegistered, requestId: OrgRegistration.requestId, payload: payload,
                apply: { txn in
                    try Array(code.utf8).withUnsafeBytes { k in try payload.withUnsafeBytes { try txn.put(schema.orgs, key: k, value: $0) } }
                },
                afterCommit: { published.register(.init(registration: registration, publicKey: publicKey)) },
                continuation: continuation)
            do {
                try queue.enqueue(command)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Writes the audit trail's head into the ledger (an `audit_anchor` node entry) and returns its receipt.
    @discardableResult
    public func anchorAudit(_ anchor: AuditAnchor) async throws -> Receipt {
        try integrity.checkWritable()
        let payload = anchor.encoded
        let schema = self.schema
        return try await withCheckedThrowingContinuation { continuation in
            let command = WriteCommand.nodeEntry(
                kind: .auditAnchor, requestId: "audit-anchor", payload: payload,
                apply: { txn in try schema.setMetaBytes(.auditAnchor, payload, in: txn) },
                afterCommit: {}, continuation: continuation)
            do {
                try queue.enqueue(command)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// The audit trail head most recently anchored; nil before the first anchor.
    public func latestAuditAnchor() throws -> AuditAnchor? {
        let schema = self.schema
        return try integrity.checking("the latest audit anchor") {
            try env.read { txn in
                try schema.metaBytes(.auditAnchor, in: txn).map { bytes in try bytes.withUnsafeBytes { try AuditAnchor(decoding: $0) } }
            }
        }
    }

    // MARK: reading

    /// Entries committed so far (the size of the newest tree).
    public var treeSize: UInt64 { published.committedSize }

    /// The newest signed tree head (it may trail the newest commit by the one being signed). Signed in this process,
    /// or read from the store at open and checked there (signature, and root against the stored nodes).
    public var latestTreeHead: SignedTreeHead? { published.latestHead }

    /// Records and bytes admitted and waiting for the writer (`queueCapacityRecords` / `…Bytes` bound them).
    public var writeQueueDepth: (records: Int, bytes: Int) { queue.depth }

    /// Whether this ledger keeps `machine`'s state: its state machine has the same kinds, databases and state
    /// format, so a reader of `machine`'s databases finds them, in the layout it reads.
    public func keepsState(of machine: some LedgerStateMachine) -> Bool {
        guard let configured = configuration.stateMachine else { return false }
        return configured.kinds.map(\.rawValue) == machine.kinds.map(\.rawValue) && configured.stateFormat == machine.stateFormat
            && configured.databaseNames == machine.databaseNames
    }

    public func org(_ code: String) -> (role: String, publicKey: SM2PublicKey)? {
        published.org(code).map { ($0.registration.role, $0.publicKey) }
    }

    private func entryReader(_ txn: LMDBTransaction) -> EntryPayloadReader {
        EntryPayloadReader(txn: txn, schema: schema, sealing: EntrySealing(dataKey: dataKey), hashing: hashing)
    }

    /// A consistent snapshot of the state machine's databases (and the engine's, through `txn`). `dataLoss` thrown
    /// by `body` (state that disagrees with its entry) is recorded as damage, like the engine's own reads.
    public func readState<R>(_ body: (StateTransaction) throws -> R) throws -> R {
        try integrity.checking("state") {
            try env.read { txn in try body(StateTransaction(txn: txn, schema: schema, dataKey: dataKey, hashing: hashing)) }
        }
    }

    /// The head signed at exactly `treeSize`, if one was. The newest comes from memory; an older one is read from
    /// the store and checked before it is returned (signature, and root against the stored nodes): `dataLoss`.
    public func treeHead(atSize treeSize: UInt64) throws -> SignedTreeHead? {
        if let newest = published.latestHead, newest.head.treeSize == treeSize { return newest }
        let current = self.treeSize
        return try integrity.checking("the tree head at size \(treeSize)") {
            let stored = try env.read { txn in try txn.get(schema.heads, key: treeSize).map { Array($0) } }
            guard let stored else { return nil }
            try stored.withUnsafeBytes { value in
                try LedgerStartCheck.check(storedHead: value, size: treeSize, treeSize: current, nodeKey: nodePublicKey) { size in
                    try root(atSize: size)
                }
            }
            return try stored.withUnsafeBytes { try SignedTreeHead(decoding: $0) }
        }
    }

    /// The entry's exact (plain) bytes: a sealed private range is opened here, bound to the entry's leaf, and the
    /// bytes re-hashed against that leaf (`dataLoss` naming the index if they differ).
    public func entry(at index: UInt64) throws -> StoredEntry {
        try integrity.checking("entry \(index)") {
            try env.read { txn in
                guard let entry = try entryReader(txn).entry(at: index) else {
                    throw LedgerError(.notFound, "no entry at index \(index); the ledger holds \(treeSize)")
                }
                return entry
            }
        }
    }

    /// The entries from `range.lowerBound` on, in order, from one read transaction, stopping once they hold
    /// `maxBytes` (at least one entry, so that a reader always moves on): a stream's chunk, bounded in count by
    /// `range` and in memory by `maxBytes`.
    public func entries(in range: Range<UInt64>, maxBytes: Int) throws -> [StoredEntry] {
        try integrity.checking("entries from \(range.lowerBound)") { try env.read { txn in
            let reader = entryReader(txn)
            var chunk: [StoredEntry] = []
            var bytes = 0
            for index in range {
                guard chunk.isEmpty || bytes < maxBytes else { break }
                guard let entry = try reader.entry(at: index) else {
                    throw LedgerError(.notFound, "no entry at index \(index); the ledger holds \(treeSize)")
                }
                bytes += entry.bytes.count
                chunk.append(entry)
            }
            return chunk
        } }
    }

    /// Read snapshots the ledger's store has opened since it opened (diagnostics).
    public var readTransactionCount: UInt64 { env.readTransactionCount }

    /// The Merkle leaf hash (transaction hash) of the entry at `index`, without reading the entry.
    public func leafHash(at index: UInt64) throws -> Digest32 {
        let size = treeSize
        guard index < size else { throw LedgerError(.notFound, "no entry at index \(index); the ledger holds \(size)") }
        return try integrity.checking("the leaf hash of entry \(index)") {
            try env.read { txn in try nodes.leafHash(at: index, in: txn) }
        }
    }

    /// The index of the entry whose Merkle leaf hash (transaction hash) is `hash`.
    public func index(ofTransaction hash: Digest32) throws -> UInt64? {
        try integrity.checking("the transaction index") { try transactions.index(of: hash, in: env) }
    }

    public func inclusionProof(index: UInt64, treeSize requested: UInt64? = nil) throws -> InclusionProof {
        let size = try checkedSize(requested)
        guard index < size else {
            throw LedgerError(.invalidArgument, "index \(index) is not below tree size \(size)")
        }
        let path = try withSubtreeLookup { subtree in
            try MerkleProofGenerator(hashing.algorithm).inclusionProof(leafIndex: index, treeSize: size, subtree: subtree)
        }
        return InclusionProof(leafIndex: index, treeSize: size, path: path, algorithm: hashing.algorithm)
    }

    public func consistencyProof(from oldSize: UInt64, to requested: UInt64? = nil) throws -> ConsistencyProof {
        let newSize = try checkedSize(requested)
        guard oldSize >= 1, oldSize <= newSize else {
            throw LedgerError(.invalidArgument, "old size \(oldSize) must be between 1 and the new size \(newSize)")
        }
        let path = try withSubtreeLookup { subtree in
            try MerkleProofGenerator(hashing.algorithm).consistencyProof(oldSize: oldSize, newSize: newSize, subtree: subtree)
        }
        return ConsistencyProof(oldSize: oldSize, newSize: newSize, path: path, algorithm: hashing.algorithm)
    }

    /// The Merkle root of the first `treeSize` entries.
    public func root(atSize requested: UInt64? = nil) throws -> Digest32 {
        let size = try checkedSize(requested)
        return try withSubtreeLookup { subtree in
            try MerkleProofGenerator(hashing.algorithm).root(treeSize: size, subtree: subtree)
        }
    }

    /// Perfect-subtree roots from memory where cached, else one B-tree read each, all in one snapshot.
    private func withSubtreeLookup<R>(_ body: ((PerfectSubtree) throws -> Digest32) throws -> R) throws -> R {
        try integrity.checking("the Merkle nodes") {
            try upperTree.reading { cached in
                try env.read { txn in
                    try body { subtree in try cached.root(subtree) ?? nodes.subtreeRoot(subtree, in: txn) }
                }
            }
        }
    }

    /// Bytes of the LMDB map in use.
    public var storeBytes: Int { env.usedBytes() }

    private func checkedSize(_ requested: UInt64?) throws -> UInt64 {
        let current = treeSize
        let size = requested ?? current
        guard size >= 1, size <= current else {
            throw LedgerError(.invalidArgument, "tree size \(size) is outside 1...\(current)")
        }
        return size
    }
}

/// One entry as stored: its exact bytes, commit time and Merkle leaf (transaction) hash.
public struct StoredEntry: Sendable, Equatable {
    public let index: UInt64
    public let commitTimeMs: UInt64
    public let bytes: [UInt8]
    public let leafHash: Digest32

    public func decoded() throws -> LedgerEntry { try LedgerEntry(decoding: bytes) }
}
