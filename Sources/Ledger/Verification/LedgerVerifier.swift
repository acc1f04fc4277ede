import CLMDB
import Foundation
import YibaoCrypto

/// Offline check of a whole store from its entries alone: recompute every leaf and every stored Merkle node,
/// every stored tree head (root and node signature), every batch seal (the org's signature over its records,
/// with keys from the registry entries before it), and the derived state (org registry, request ids, tx index).
/// Stops at the first divergence and names its index. Entries with sealed PII are opened with the node's data key
/// (a box that does not open is a divergence at its index); a store with sealed entries cannot be verified
/// without the key, because the leaves hash the plain bytes.
public struct LedgerVerifier {
    public struct Divergence: Sendable, Equatable, CustomStringConvertible {
        /// The entry index where the store stops matching; nil for a divergence in derived state.
        public let index: UInt64?
        public let reason: String
        public var description: String { index.map { "entry \($0): \(reason)" } ?? reason }
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var entries: UInt64 = 0
        public var treeHeads = 0
        public var seals = 0
        public var orgs = 0
        public var indexedTransactions = 0
        public var auditAnchors = 0
        /// The last audit trail head the ledger anchors, to check the trail against (`AuditTrail.verify(anchor:)`).
        public var latestAuditAnchor: AuditAnchor?
        /// State databases found equal to their replay from the entries.
        public var stateDatabases = 0
        public var root: Digest32?
        public var firstDivergence: Divergence?
        public var isValid: Bool { firstDivergence == nil }

        public var description: String {
            let summary = "\(entries) entries, \(treeHeads) signed tree heads, \(seals) batch seals, \(orgs) orgs, "
                + "\(indexedTransactions) indexed transaction hashes, \(stateDatabases) state databases replayed"
            if let divergence = firstDivergence { return "INVALID: \(divergence) (checked \(summary))" }
            return "OK: \(summary); root \(root?.hex ?? "-")"
        }
    }

    public let directory: String
    public let hashAlgorithm: HashAlgorithm
    /// The node key an auditor trusts from elsewhere; without it, the key in the genesis entry is used.
    public let expectedNodeKey: SM2PublicKey?
    /// The business rules whose state is replayed from the entries and compared with the stored state.
    public let stateMachine: (any LedgerStateMachine)?
    /// The node's data key (`DataKeyFile.load(directory:)`), needed once any entry is sealed.
    public let dataKey: NodeDataKey?

    public init(directory: String, hashAlgorithm: HashAlgorithm = .sm3, expectedNodeKey: SM2PublicKey? = nil,
                stateMachine: (any LedgerStateMachine)? = nil, dataKey: NodeDataKey? = nil) {
        self.directory = directory
        self.hashAlgorithm = hashAlgorithm
        self.expectedNodeKey = expectedNodeKey
        self.stateMachine = stateMachine
        self.dataKey = dataKey
    }

    /// Opens the store read-only (a running node may keep writing; the check sees one snapshot).
    /// In the node's own process use `Ledger.verify()` instead: LMDB must not be opened twice in one process.
    /// Throws `failedPrecondition` for a data key other than the store's, or none where an entry is sealed.
    public func verify() throws -> Report {
        var options = LMDBEnvironment.Options()
        options.readOnly = true
        let env = try LMDBEnvironment(path: directory, options: options)
        defer { env.close() }
        return try verify(env: env, schema: try LedgerSchema(env, stateDatabases: stateMachine?.databaseNames ?? []))
    }

    func verify(env: LMDBEnvironment, schema: LedgerSchema) throws -> Report {
        try checkDataKey(env: env, schema: schema)
        guard let stateMachine else { return try walk(env: env, schema: schema, replay: nil, comparingState: false) }
        return try withReplayedState(of: env, schema: schema, machine: stateMachine, comparingState: true) { report, _, _ in report }
    }

    func checkDataKey(env: LMDBEnvironment, schema: LedgerSchema) throws {
        guard let dataKey else { return }
        let stored = try env.read { try schema.metaBytes(.dataKeyCheck, in: $0) }
        try DataKeyFile.check(dataKey, against: stored, path: "given to the verifier")
    }

    /// Walks the whole store while `machine` rebuilds its state from the entries alone in a scratch store, then
    /// hands `body` the report and that scratch store with its state databases (committed: `body` reads them in
    /// a transaction of its own). With `comparingState` the report also compares the stored state with it.
    func withReplayedState<R>(of env: LMDBEnvironment, schema: LedgerSchema, machine: any LedgerStateMachine,
                              comparingState: Bool,
                              _ body: (Report, LMDBEnvironment, [String: LMDBDatabase]) throws -> R) throws -> R {
        let scratchPath = NSTemporaryDirectory() + "yibao-replay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratchPath, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratchPath) }
        var options = LMDBEnvironment.Options()
        options.durable = false
        options.mapSize = max(64 << 20, env.usedBytes() * 2)
        let scratch = try LMDBEnvironment(path: scratchPath, options: options)
        defer { scratch.close() }
        let databases = try Dictionary(uniqueKeysWithValues: machine.databaseNames.map { ($0, try scratch.database(named: $0)) })
        let report = try scratch.write { scratchTxn in
            try walk(env: env, schema: schema, replay: { entries in
                Replay(machine: machine,
                       state: StateTransaction(txn: scratchTxn, databases: StateDatabaseTable(databases), dataKey: dataKey, entries: entries))
            }, comparingState: comparingState)
        }
        return try body(report, scratch, databases)
    }

    /// `replay` makes the scratch state, whose records read their entries from the store being walked.
    private func walk(env: LMDBEnvironment, schema: LedgerSchema, replay: ((EntryPayloadReader) -> Replay)?,
                      comparingState: Bool) throws -> Report {
        try env.read { txn in
            let sealing = EntrySealing(dataKey: dataKey)
            var pass = Pass(schema: schema, txn: txn, hashing: MerkleHashing(hashAlgorithm), expectedNodeKey: expectedNodeKey,
                            sealing: sealing, replay: replay?(EntryPayloadReader(txn: txn, schema: schema, sealing: sealing,
                                                               hashing: MerkleHashing(hashAlgorithm))))
            do {
                try pass.checkEntries()
                try pass.checkDerivedState(comparingState: comparingState)
            } catch let divergence as Divergence {
                pass.report.firstDivergence = divergence
            }
            return pass.report
        }
    }
}

extension LedgerVerifier.Divergence: Error {}

/// The state machine and the scratch state it replays into.
private struct Replay {
    let machine: any LedgerStateMachine
    let state: StateTransaction
    /// The machine's kinds by number, built once rather than searched per entry.
    let kinds: [UInt16: EntryKind]

    init(machine: any LedgerStateMachine, state: StateTransaction) {
        self.machine = machine
        self.state = state
        kinds = Dictionary(machine.kinds.map { ($0.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One verification walk; holds the replayed state.
private struct Pass {
    let schema: LedgerSchema
    let txn: LMDBTransaction
    let hashing: MerkleHashing
    let expectedNodeKey: SM2PublicKey?
    let sealing: EntrySealing
    let replay: Replay?
    var report = LedgerVerifier.Report()

    private var nodeKey: SM2PublicKey?
    private var nodeId = ""
    private var orgs: [String: (payload: [UInt8], key: SM2PublicKey)] = [:]
    /// Org entries awaiting their seal: index → (entry, commit time, leaf).
    private var unsealed: [UInt64: (entry: LedgerEntry, time: UInt64, leaf: Digest32)] = [:]
    private var sealsByRequest: [[UInt8]: UInt64] = [:]

    init(schema: LedgerSchema, txn: LMDBTransaction, hashing: MerkleHashing, expectedNodeKey: SM2PublicKey?,
         sealing: EntrySealing, replay: Replay?) {
        self.schema = schema
        self.txn = txn
        self.hashing = hashing
        self.expectedNodeKey = expectedNodeKey
        self.sealing = sealing
        self.replay = replay
    }

    private func diverge(_ index: UInt64?, _ reason: String) -> LedgerVerifier.Divergence {
        LedgerVerifier.Divergence(index: index, reason: reason)
    }

    /// A read of `database` that LMDB refuses as damaged (a page of data.mdb corrupted or missing) is a divergence
    /// naming the database and the last entry that checked out, not a crash or a bare LMDB code. Other LMDB errors
    /// (a full scratch map, too many readers) say nothing about the store and propagate as they are.
    /// `checked`: how many entries checked out so far. Static, so that `body` may change the pass.
    private static func reading<R>(_ database: String, at index: UInt64?, checked: UInt64, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LMDBError where error.isCorruption {
            let good = checked == 0 ? "no entry was checked" : "the last good entry is \(checked - 1)"
            throw LedgerVerifier.Divergence(index: index, reason: "database \(database) cannot be read (\(error)); \(good)")
        }
    }

    mutating func checkEntries() throws {
        guard let (lastKey, _) = try Self.reading("entries", at: nil, checked: report.entries, { try txn.last(schema.entries) }), let last = U64Key.decode(lastKey) else {
            throw diverge(nil, "the store holds no entries (not even genesis)")
        }
        let size = last + 1
        var heads: [(UInt64, SignedTreeHead)] = []
        try Self.reading("heads", at: nil, checked: report.entries) { try txn.forEach(schema.heads, from: 0) { treeSize, value in
            guard let head = try? SignedTreeHead(decoding: value), head.head.treeSize == treeSize else {
                throw diverge(nil, "the tree head stored for size \(treeSize) is unreadable or names another size")
            }
            heads.append((treeSize, head))
            return true
        } }
        var nextHead = 0
        var frontier = MerkleFrontier(hashing.algorithm)
        for index in 0..<size {
            guard let value = try Self.reading("entries", at: index, checked: report.entries, { try txn.get(schema.entries, key: index) }), value.count > 8 else {
                throw diverge(index, "the entry is missing")
            }
            let time = UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))
            let bytes = try plainEntry(UnsafeRawBufferPointer(rebasing: value.dropFirst(8)), index: index)
            let leaf = hashing.leafHash(bytes)
            try checkStoredNodes(index: index, completed: frontier.append(leaf))
            let entry: LedgerEntry
            do { entry = try LedgerEntry(decoding: bytes) } catch {
                throw diverge(index, "the entry does not parse: \(error)")
            }
            try replay(entry, index: index, time: time, leaf: leaf)
            while nextHead < heads.count && heads[nextHead].0 == index + 1 {
                try checkHead(heads[nextHead].1, root: frontier.root, index: index)
                nextHead += 1
            }
            report.entries = index + 1
        }
        report.root = frontier.root
        if nextHead < heads.count {
            throw diverge(nil, "a tree head is stored for size \(heads[nextHead].0), beyond the \(size) entries")
        }
        if let orphan = unsealed.keys.min() {
            throw diverge(orphan, "no batch seal covers this \(unsealed[orphan]!.entry.org) entry")
        }
    }

    /// The entry's exact bytes; a sealed PII section is opened bound to the stored leaf, which the recomputed
    /// leaf is then checked against, so a box moved from another entry or an altered leaf fails here or there.
    private func plainEntry(_ stored: UnsafeRawBufferPointer, index: UInt64) throws -> [UInt8] {
        do {
            return try sealing.unsealFromStorage(stored, transactionHash: try storedLeaf(index), index: index)
        } catch let error as CryptoError {
            throw diverge(index, "its sealed PII section does not open (the sealed bytes or the leaf they are bound to were altered): \(error)")
        }
    }

    private func storedLeaf(_ index: UInt64) throws -> Digest32 {
        guard let stored = try Self.reading("merkle", at: index, checked: report.entries, { try txn.get(schema.merkle, key: index) }),
              stored.count >= Digest32.byteCount else {
            throw diverge(index, "its Merkle nodes are missing or of the wrong count")
        }
        return Digest32(unsafe: stored.baseAddress!)
    }

    private func checkStoredNodes(index: UInt64, completed: [SubtreeRoot]) throws {
        guard let stored = try Self.reading("merkle", at: index, checked: report.entries, { try txn.get(schema.merkle, key: index) }),
              stored.count == completed.count * Digest32.byteCount else {
            throw diverge(index, "its Merkle nodes are missing or of the wrong count")
        }
        for (level, root) in completed.enumerated()
        where Digest32(unsafe: stored.baseAddress! + level * Digest32.byteCount) != root.hash {
            throw diverge(index, level == 0
                ? "the entry bytes do not hash to the stored Merkle leaf (the entry or its leaf was altered)"
                : "the stored Merkle node \(root.subtree) does not match its recomputation")
        }
    }

    private mutating func checkHead(_ head: SignedTreeHead, root: Digest32, index: UInt64) throws {
        guard head.head.root == root else {
            throw diverge(index, "the signed tree head at size \(index + 1) has root \(head.head.root.hex), recomputed \(root.hex)")
        }
        guard let nodeKey, head.isValid(for: nodeKey) else {
            throw diverge(index, "the node's signature on the tree head at size \(index + 1) does not verify")
        }
        report.treeHeads += 1
    }

    private mutating func replay(_ entry: LedgerEntry, index: UInt64, time: UInt64, leaf: Digest32) throws {
        if index == 0 {
            guard entry.kindNumber == EntryKind.genesis.rawValue,
                  let genesis = try? entry.payload.withUnsafeBytes({ try GenesisRecord(decoding: $0) }),
                  let key = try? SM2PublicKey(derSPKI: genesis.nodePublicKeyDER) else {
                throw diverge(0, "the first entry is not a readable genesis")
            }
            if let expectedNodeKey, expectedNodeKey != key {
                throw diverge(0, "genesis names a node key other than the one expected")
            }
            nodeKey = key
            nodeId = genesis.nodeId
            return
        }
        switch entry.kindNumber {
        case EntryKind.genesis.rawValue:
            throw diverge(index, "a second genesis entry")
        case EntryKind.orgRegistered.rawValue:
            guard entry.org == nodeId,
                  let registration = try? entry.payload.withUnsafeBytes({ try OrgRegistration(decoding: $0) }),
                  let key = try? SM2PublicKey(derSPKI: registration.publicKeyDER) else {
                throw diverge(index, "an org registration not written by the node or unreadable")
            }
            orgs[registration.code] = (entry.payload, key)
            roles[registration.code] = registration.role
        case EntryKind.batchSeal.rawValue:
            try checkSeal(entry, index: index, time: time)
        case EntryKind.auditAnchor.rawValue:
            guard entry.org == nodeId, let anchor = try? entry.payload.withUnsafeBytes({ try AuditAnchor(decoding: $0) }) else {
                throw diverge(index, "an audit anchor not written by the node or unreadable")
            }
            report.auditAnchors += 1
            report.latestAuditAnchor = anchor
        default:
            unsealed[index] = (entry, time, leaf)
            try replayRules(entry, index: index, time: time, leaf: leaf)
        }
    }

    private var roles: [String: String] = [:]

    /// Applies an org's record to the scratch state exactly as the writer did when it appended it.
    private func replayRules(_ entry: LedgerEntry, index: UInt64, time: UInt64, leaf: Digest32) throws {
        guard let replay, let kind = replay.kinds[entry.kindNumber] else { return }
        let record = AppliedRecord(index: index, kind: kind, org: OrgIdentity(code: entry.org, role: roles[entry.org] ?? ""),
                                   payload: entry.payload, transactionHash: leaf, commitTimeMs: time,
                                   position: Int(entry.position))
        let outcome: ApplyOutcome
        do {
            outcome = try Self.reading("the state databases (replay)", at: index, checked: report.entries) { try replay.machine.replay(record, in: replay.state) }
        } catch let refusal as LedgerError {
            throw diverge(index, "the rules refuse this entry on replay: \(refusal)")
        }
        guard outcome == .append else { throw diverge(index, "on replay the rules call this entry a repeat: \(outcome)") }
    }

    /// Every state database equals its replay, key for key, byte for byte: the two are walked side by side, so
    /// memory stays flat however large the state is.
    private mutating func compareReplayedState() throws {
        guard let replay else { return }
        for name in replay.machine.databaseNames.sorted() {
            guard let stored = schema.state[name] else { throw diverge(nil, "state: database \(name) is missing") }
            try Self.reading("state database \(name)", at: nil, checked: report.entries) { try compare(name, stored: stored, replay: replay) }
            report.stateDatabases += 1
        }
    }

    /// One state database against its replay.
    private func compare(_ name: String, stored: LMDBDatabase, replay: Replay) throws {
        let cursor = try LMDBCursor(txn, stored)
        defer { cursor.close() }
        var storedPair = try cursor.position(MDB_FIRST)
        try replay.state.txn.forEach(replay.state.database(name)) { k, v in
            guard let (sk, sv) = storedPair else {
                throw diverge(nil, "state: \(name) lacks key \(Hex.encode(k)), which the entries produce")
            }
            guard sk.elementsEqual(k) else {
                throw diverge(nil, "state: \(name) holds key \(Hex.encode(sk)) where the entries produce \(Hex.encode(k))")
            }
            guard sv.elementsEqual(v) else {
                throw diverge(nil, "state: \(name)[\(Hex.encode(k))] differs from its replay from the entries")
            }
            storedPair = try cursor.position(MDB_NEXT)
            return true
        }
        if let (sk, _) = storedPair {
            throw diverge(nil, "state: \(name) holds key \(Hex.encode(sk)), which no entry produces")
        }
    }

    private mutating func checkSeal(_ entry: LedgerEntry, index: UInt64, time: UInt64) throws {
        guard let seal = try? entry.payload.withUnsafeBytes({ try BatchSeal(decoding: $0) }) else {
            throw diverge(index, "the batch seal does not parse")
        }
        guard seal.commitTimeMs == time else {
            throw diverge(index, "the seal's commit time \(seal.commitTimeMs) differs from the stored \(time)")
        }
        guard let org = orgs[entry.org] else {
            throw diverge(index, "the seal names org \(entry.org), which is not registered before it")
        }
        var leaves: [Digest32] = []
        for (position, outcome) in seal.outcomes.enumerated() {
            switch outcome {
            case .refused(let hash):
                leaves.append(hash)
            case .landed(let landed):
                guard let record = unsealed.removeValue(forKey: landed), record.entry.org == entry.org,
                      record.entry.requestId == entry.requestId, Int(record.entry.position) == position,
                      record.time == time else {
                    throw diverge(landed, "the seal at \(index) claims this entry as record \(position) of request "
                                  + "'\(entry.requestId)', but it is not that record")
                }
                leaves.append(record.leaf)
            }
        }
        let message = BatchSigningMessage.bytes(org: entry.org, requestId: entry.requestId, leafHashes: leaves)
        if let authentication = seal.authentication {
            try checkAttestation(authentication, signature: seal.signature, entry: entry, orgKey: org.key, index: index)
        } else {
            guard org.key.isValidSignature(seal.signature, for: message) else {
                throw diverge(index, "org \(entry.org)'s signature over request '\(entry.requestId)' does not verify")
            }
        }
        sealsByRequest[IdempotencyRecord.key(org: entry.org, requestId: entry.requestId)] = index
        report.seals += 1
    }

    /// A node-attested seal: the tree heads over it are the node's signature; what is left to check is a signed
    /// request's org signature over the call (mutual TLS and development mode leave nothing checkable here).
    private func checkAttestation(_ authentication: BatchAuthentication, signature: [UInt8], entry: LedgerEntry,
                                  orgKey: SM2PublicKey, index: UInt64) throws {
        guard signature.isEmpty else {
            throw diverge(index, "the attested seal of request '\(entry.requestId)' carries a signature; attested seals carry none")
        }
        if case .signedRequest(let method, let timestampMs, let requestDigest, let requestSignature) = authentication {
            let call = RequestSigningMessage.bytes(method: method, org: entry.org, timestampMs: timestampMs,
                                                   requestDigest: requestDigest)
            guard orgKey.isValidSignature(requestSignature, for: call) else {
                throw diverge(index, "org \(entry.org)'s signature over the call \(method) that carried request "
                              + "'\(entry.requestId)' does not verify")
            }
        }
    }

    mutating func checkDerivedState(comparingState: Bool) throws {
        if comparingState { try compareReplayedState() }
        let storedAnchor = try Self.reading("meta", at: nil, checked: report.entries) { try schema.metaBytes(.auditAnchor, in: txn) }
        guard storedAnchor == report.latestAuditAnchor?.encoded else {
            throw diverge(nil, "state: the stored latest audit anchor differs from the last audit_anchor entry")
        }
        var storedOrgs = 0
        try Self.reading("orgs", at: nil, checked: report.entries) { try txn.forEach(schema.orgs) { key, value in
            let code = String(decoding: key, as: UTF8.self)
            guard let replayed = orgs[code], replayed.payload.elementsEqual(value) else {
                throw diverge(nil, "state: org \(code) in the registry differs from its registration entries")
            }
            storedOrgs += 1
            return true
        } }
        guard storedOrgs == orgs.count else {
            throw diverge(nil, "state: the org registry holds \(storedOrgs) orgs; the entries register \(orgs.count)")
        }
        report.orgs = storedOrgs

        var requests = 0
        try Self.reading("requests", at: nil, checked: report.entries) { try txn.forEach(schema.requests) { key, value in
            guard let record = try? IdempotencyRecord(decoding: value), sealsByRequest[Array(key)] == record.sealIndex else {
                throw diverge(nil, "state: request id record '\(String(decoding: key, as: UTF8.self))' names no matching seal")
            }
            requests += 1
            return true
        } }
        guard requests == sealsByRequest.count else {
            throw diverge(nil, "state: \(requests) request id records for \(sealsByRequest.count) seals")
        }

        let nodes = MerkleNodeStore(db: schema.merkle)
        let checked = report.entries
        var indexed = 0
        try Self.reading("transactions", at: nil, checked: checked) { try txn.forEach(schema.transactions) { key, value in
            guard key.count == Digest32.byteCount, let index = U64Key.decode(value), index < checked,
                  let leaf = try? nodes.leafHash(at: index, in: txn), leaf == Digest32(unsafe: key.baseAddress!) else {
                throw diverge(U64Key.decode(value), "state: the transaction index maps \(Hex.encode(key)) to the wrong entry")
            }
            indexed += 1
            return true
        } }
        report.indexedTransactions = indexed
    }
}
