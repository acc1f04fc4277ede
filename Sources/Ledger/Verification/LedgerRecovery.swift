import Foundation
import YibaoCrypto

/// Opening a ledger: create genesis in an empty store, or check the stored genesis against this node and rebuild
/// what lives only in memory — the Merkle frontier, the org registry, the hashes not yet in the tx index, the
/// newest head. Everything rebuilt here is derived from committed data, which is why a crash loses nothing.
struct LedgerRecovery {
    let env: LMDBEnvironment
    let schema: LedgerSchema
    let nodeKey: SM2PrivateKey
    let configuration: LedgerConfiguration

    struct Result {
        var frontier: MerkleFrontier
        var lastCommitTimeMs: UInt64
        var indexedThrough: UInt64
        var unindexed: [(Digest32, UInt64)]
        var orgs: [LedgerPublishedState.Org]
        var latestHead: SignedTreeHead?
        /// The newest stored head is older than the tree (a crash between commit and storing its head).
        var needsHead: Bool
        var currentHead: TreeHead
    }

    func run() throws -> Result {
        let nodes = MerkleNodeStore(db: schema.merkle)
        let algorithm = configuration.hashAlgorithm
        if try env.read({ try $0.count(schema.entries) }) == 0 {
            try writeGenesis(nodes: nodes)
        }
        return try env.read { txn in
            guard let (lastKey, lastValue) = try txn.last(schema.entries), let last = U64Key.decode(lastKey), lastValue.count >= 8 else {
                throw LedgerError(.dataLoss, "the entries database is unreadable")
            }
            let size = last + 1
            try checkGenesis(in: txn)
            try checkStateFormat(in: txn)
            let frontier = try MerkleFrontier(size: size, algorithm: algorithm) { try nodes.subtreeRoot($0, in: txn) }
            let indexedThrough = try schema.metaValue(.transactionsIndexedThrough, in: txn) ?? 0
            var unindexed: [(Digest32, UInt64)] = []
            for index in indexedThrough..<size {
                unindexed.append((try nodes.leafHash(at: index, in: txn), index))
            }
            var orgs: [LedgerPublishedState.Org] = []
            try txn.forEach(schema.orgs) { _, value in
                let registration = try OrgRegistration(decoding: value)
                orgs.append(.init(registration: registration, publicKey: try SM2PublicKey(derSPKI: registration.publicKeyDER)))
                return true
            }
            let latestHead = try txn.last(schema.heads).map { try SignedTreeHead(decoding: $0.value) }
            let lastTime = UInt64(bigEndian: lastValue.loadUnaligned(as: UInt64.self))
            let now = max(lastTime, UInt64(Date().timeIntervalSince1970 * 1000))
            return Result(frontier: frontier, lastCommitTimeMs: lastTime, indexedThrough: indexedThrough,
                          unindexed: unindexed, orgs: orgs, latestHead: latestHead,
                          needsHead: (latestHead?.head.treeSize ?? 0) < size,
                          currentHead: TreeHead(treeSize: size, timestampMs: now, root: frontier.root))
        }
    }

    private func writeGenesis(nodes: MerkleNodeStore) throws {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let genesis = GenesisRecord(hashAlgorithm: configuration.hashAlgorithm, nodeId: configuration.nodeId,
                                    nodePublicKeyDER: nodeKey.publicKey.derRepresentation, createdAtMs: now)
        let entry = LedgerEntry(kind: EntryKind.genesis.rawValue, org: configuration.nodeId,
                                requestId: GenesisRecord.requestId, position: 0, payload: genesis.encoded).encoded
        var frontier = MerkleFrontier(configuration.hashAlgorithm)
        let completed = frontier.append(frontier.hashing.leafHash(entry))
        let head = try SignedTreeHead.signing(TreeHead(treeSize: 1, timestampMs: now, root: frontier.root), with: nodeKey)
        try env.write { txn in
            try txn.putReserving(schema.entries, key: 0, size: 8 + entry.count, flags: LMDBFlags.append) { out in
                out.storeBytes(of: now.bigEndian, toByteOffset: 0, as: UInt64.self)
                entry.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[8...]).copyMemory(from: $0) }
            }
            try nodes.append(leafIndex: 0, completed: completed, in: txn)
            try head.encoded.withUnsafeBytes { try txn.put(schema.heads, key: 1, value: $0) }
            try schema.setMeta(.schemaVersion, LedgerSchema.version, in: txn)
            if let machine = configuration.stateMachine { try schema.setMeta(.stateFormat, machine.stateFormat, in: txn) }
        }
    }

    /// State written in another layout cannot be served: refuse to open rather than misread it.
    private func checkStateFormat(in txn: LMDBTransaction) throws {
        guard let machine = configuration.stateMachine else { return }
        let stored = try schema.metaValue(.stateFormat, in: txn)
        guard stored == machine.stateFormat else {
            let found = stored.map { "format \($0)" } ?? "no recorded format (written before formats were recorded, or without these rules)"
            throw LedgerError(.failedPrecondition,
                              "this ledger's state databases have \(found); this node keeps state format \(machine.stateFormat) "
                              + "and will not read or change them. Rebuild them from the entries with `yibao rebuild-state --data <folder>` "
                              + "while no node runs, or open the store with the node version that wrote it")
        }
    }

    private func checkGenesis(in txn: LMDBTransaction) throws {
        guard let value = try txn.get(schema.entries, key: 0), value.count > 8 else {
            throw LedgerError(.dataLoss, "the genesis entry is missing")
        }
        let entry = try LedgerEntry(decoding: UnsafeRawBufferPointer(rebasing: value.dropFirst(8)))
        guard entry.kindNumber == EntryKind.genesis.rawValue else {
            throw LedgerError(.dataLoss, "entry 0 is \(entry.kindNumber), not genesis")
        }
        let genesis = try entry.payload.withUnsafeBytes { try GenesisRecord(decoding: $0) }
        guard genesis.hashAlgorithm == configuration.hashAlgorithm else {
            throw LedgerError(.failedPrecondition,
                              "this ledger hashes with \(genesis.hashAlgorithm.rawValue), not \(configuration.hashAlgorithm.rawValue)")
        }
        guard genesis.nodePublicKeyDER == nodeKey.publicKey.derRepresentation else {
            throw LedgerError(.failedPrecondition,
                              "the node key does not match the key in this ledger's genesis (node \(genesis.nodeId))")
        }
    }
}
