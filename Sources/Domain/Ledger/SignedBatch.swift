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
/// (`BatchSigningMessage`). The client request id makes retries idempotent.
public struct SignedBatch: Sendable {
    public var org: String
    public var requestId: String
    public var records: [LedgerRecord]
    public var signature: [UInt8]

    public init(org: String, requestId: String, records: [LedgerRecord], signature: [UInt8]) {
        self.org = org
        self.requestId = requestId
        self.records = records
        self.signature = signature
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
