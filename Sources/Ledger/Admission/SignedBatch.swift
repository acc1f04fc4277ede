import YibaoCrypto

/// One record of a request batch as an org submits it.
public struct LedgerRecord: Sendable, Equatable {
    public var kind: UInt16
    public var payload: [UInt8]

    public init(kind: EntryKind, payload: [UInt8]) {
        self.kind = kind.rawValue
        self.payload = payload
    }

    /// For callers (and hostile tests) that carry a raw kind number.
    public init(kindNumber: UInt16, payload: [UInt8]) {
        self.kind = kindNumber
        self.payload = payload
    }

    func entry(org: String, requestId: String, position: Int) -> LedgerEntry {
        LedgerEntry(kind: kind, org: org, requestId: requestId, position: UInt32(position), payload: payload)
    }
}

/// A request batch with the org's one SM2 signature over the leaf hashes of all its records
/// (`BatchSigningMessage`), or one the node attests for an org its transport authenticated (`attested`).
/// The client request id makes retries idempotent.
public struct SignedBatch: Sendable {
    public var org: String
    public var requestId: String
    public var records: [LedgerRecord]
    /// The org's signature; empty for an attested batch, whose seal the node signs.
    public var signature: [UInt8]
    /// nil for an org-signed batch; what authenticated the org for an attested one.
    public var authentication: BatchAuthentication?

    public init(org: String, requestId: String, records: [LedgerRecord], signature: [UInt8]) {
        self.org = org
        self.requestId = requestId
        self.records = records
        self.signature = signature
    }

    /// A batch whose org the caller (the node's RPC front end) has already authenticated: by mutual TLS, by the org's
    /// signature over the call (`RequestSigningMessage`), or by the org's word in development mode. The ledger does
    /// not re-check that authentication: it keeps the evidence in the batch's seal, which the node's signed tree heads
    /// cover, and where the offline verifier re-checks a signed request's org signature.
    public static func attested(org: String, requestId: String, records: [LedgerRecord],
                                authentication: BatchAuthentication) -> SignedBatch {
        var batch = SignedBatch(org: org, requestId: requestId, records: records, signature: [])
        batch.authentication = authentication
        return batch
    }

    /// Builds and signs a batch the way a client does.
    public static func signing(org: String, requestId: String, records: [LedgerRecord], key: SM2PrivateKey,
                               hashing: MerkleHashing = MerkleHashing(.sm3)) throws -> SignedBatch {
        let leaves = records.enumerated().map { position, record in
            hashing.leafHash(record.entry(org: org, requestId: requestId, position: position).encoded)
        }
        let message = BatchSigningMessage.bytes(org: org, requestId: requestId, leafHashes: leaves)
        return SignedBatch(org: org, requestId: requestId, records: records, signature: try key.signature(for: message))
    }
}
