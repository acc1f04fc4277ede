import YibaoCrypto
import YibaoLedger
import YibaoMapping
import YibaoProto
import YibaoRPC

/// yibao.v1.LedgerService: signed tree heads and RFC 9162 proofs for every registered org; entry bytes for the
/// org that wrote the entry, for node-written entries (no record data), and for auditors and regulators, since
/// an entry's plain bytes carry its PII; the live stream for auditors and regulators (replicas, routers).
struct LedgerServiceHandler: Yibao_V1_LedgerServiceProvider {
    let context: ServiceContext
    /// How often a caught-up stream looks for new commits: the ledger has no commit notification to wait on.
    static let streamPollInterval: Duration = .milliseconds(50)
    /// A stream catching up reads a chunk per read transaction rather than one per entry: at most this many
    /// entries, and no more than `streamChunkBytes` of them (at least one entry, which may be up to 1 MiB). It
    /// reads the next chunk only once its connection has room for it (`waitForRoom`), so a caller that does not
    /// read makes each of its streams hold at most one chunk besides the transport's bounded buffer.
    static let streamChunkEntries: UInt64 = 256
    static let streamChunkBytes = 32 << 10

    private var ledger: Ledger { context.ledger }

    func getTreeHead(_ request: Yibao_V1_GetTreeHeadRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GetTreeHeadResponse {
        try await context.handle {
            try await authorizeMetadata()
            var response = Yibao_V1_GetTreeHeadResponse()
            response.head = LedgerMapping.treeHead(try signedHead(size: request.treeSize, field: "tree_size"), ledger: ledger)
            return response
        }
    }

    func getInclusionProof(_ request: Yibao_V1_GetInclusionProofRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GetInclusionProofResponse {
        try await context.handle {
            try await authorizeMetadata()
            let index = try leafIndex(request.leaf, field: "leaf")
            let size = try proofSize(request.treeSize, covering: index == .max ? index : index + 1, what: "entry \(index)")
            let proof = try ledger.inclusionProof(index: index, treeSize: size)
            var response = Yibao_V1_GetInclusionProofResponse()
            response.ledgerIndex = proof.leafIndex
            response.treeSize = proof.treeSize
            response.leafHash = try ledger.leafHash(at: index).bytes
            response.path = proof.path.map(\.bytes)
            response.treeHead = try ledger.treeHead(atSize: size).map { LedgerMapping.treeHead($0, ledger: ledger) }
            return response
        }
    }

    func getConsistencyProof(_ request: Yibao_V1_GetConsistencyProofRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GetConsistencyProofResponse {
        try await context.handle {
            try await authorizeMetadata()
            let second = try proofSize(request.secondTreeSize, covering: request.firstTreeSize,
                                       what: "first_tree_size \(request.firstTreeSize)")
            let proof = try ledger.consistencyProof(from: request.firstTreeSize, to: second)
            var response = Yibao_V1_GetConsistencyProofResponse()
            response.firstTreeSize = proof.oldSize
            response.secondTreeSize = proof.newSize
            response.path = proof.path.map(\.bytes)
            response.secondTreeHead = try ledger.treeHead(atSize: second).map { LedgerMapping.treeHead($0, ledger: ledger) }
            return response
        }
    }

    func getEntry(_ request: Yibao_V1_GetEntryRequest, context rpc: RPCServerContext) async throws -> Yibao_V1_GetEntryResponse {
        try await context.handle {
            let index: UInt64
            switch request.entry {
            case .ledgerIndex(let value): index = value
            case .txHash(let hash): index = try indexOf(hash, field: "tx_hash")
            case nil: throw FieldPath.invalid("entry", "required: ledger_index or tx_hash")
            }
            let entry = try LedgerMapping.entry(ledger.entry(at: index))
            let (_, caller) = try context.caller()
            try await context.authorize(caller, .readEntry, .ofEntry(org: entry.org, kindNumber: UInt16(entry.kind)),
                                        subject: "entry \(index)")
            var response = Yibao_V1_GetEntryResponse()
            response.entry = entry
            return response
        }
    }

    func streamEntries(_ request: Yibao_V1_StreamEntriesRequest, context rpc: RPCServerContext,
                       responses: RPCMessageWriter<Yibao_V1_Entry>) async throws {
        do {
            let (_, caller) = try context.caller()
            try await context.authorize(caller, .streamEntries, subject: "entries from \(request.fromIndex)")
            var next = request.fromIndex
            while true {
                let size = ledger.treeSize
                while next < size {
                    try await responses.waitForRoom()
                    // One snapshot per chunk, closed before the chunk is written: a slow reader never pins one.
                    let chunk = try ledger.entries(in: next..<min(size, next + Self.streamChunkEntries),
                                                   maxBytes: Self.streamChunkBytes)
                    for entry in chunk {
                        try await responses.write(try LedgerMapping.entry(entry))
                    }
                    next += UInt64(chunk.count)
                }
                try await Task.sleep(for: Self.streamPollInterval)
            }
        } catch {
            throw StatusMapping.status(for: error)
        }
    }

    // MARK: helpers

    private func authorizeMetadata() async throws {
        let (_, caller) = try context.caller()
        try await context.authorize(caller, .readLedgerMetadata, subject: "ledger metadata")
    }

    /// 0 means the newest signed head; otherwise the head signed at exactly that size.
    private func signedHead(size: UInt64, field: String) throws -> SignedTreeHead {
        if size == 0 {
            guard let head = try ledger.checkedLatestTreeHead() else {
                throw LedgerError(.unavailable, "the node has not signed a tree head yet")
            }
            return head
        }
        guard let head = try ledger.treeHead(atSize: size) else {
            throw LedgerError(.notFound, "\(field): no tree head was signed at size \(size) (the newest head is signed at most every few milliseconds and covers every commit before it; ask with 0 for the newest)")
        }
        return head
    }

    /// Proofs default to the newest signed head's size, so that they check against a root the node signed.
    /// A fresh receipt's entry may not be under a signed head yet (heads are paced, `treeHeadInterval`): that is
    /// transient, so it is UNAVAILABLE (retry) rather than a bad argument, as long as the entry exists.
    private func proofSize(_ requested: UInt64, covering needed: UInt64, what: String) throws -> UInt64 {
        if requested != 0 { return requested }
        let newest = try signedHead(size: 0, field: "tree_size").head.treeSize
        if needed > newest, needed <= ledger.treeSize {
            throw LedgerError(.unavailable, "\(what) is not under a signed tree head yet (the newest covers \(newest) entries; "
                              + "heads are signed within milliseconds of a commit): retry, or name a tree_size")
        }
        return newest
    }

    private func leafIndex(_ leaf: Yibao_V1_GetInclusionProofRequest.Leaf?, field: String) throws -> UInt64 {
        switch leaf {
        case .ledgerIndex(let index): return index
        case .txHash(let hash): return try indexOf(hash, field: "tx_hash")
        case nil: throw FieldPath.invalid(field, "required: ledger_index or tx_hash")
        }
    }

    private func indexOf(_ hash: [UInt8], field: String) throws -> UInt64 {
        let digest = try FieldPath.digest(hash, field)
        guard let index = try ledger.index(ofTransaction: digest) else {
            throw LedgerError(.notFound, "no entry has transaction hash \(digest.hex)")
        }
        return index
    }
}
