import YibaoCrypto

/// Proof of acceptance for one record: durable (fsynced) before it is handed out.
public struct Receipt: Sendable, Equatable, CustomStringConvertible {
    /// The record's Merkle leaf hash, which is also its transaction hash.
    public let transactionHash: Digest32
    public let index: UInt64
    /// The size of the smallest tree holding the record and its batch seal (the seal's index + 1).
    public let treeSize: UInt64
    public let commitTimeMs: UInt64

    public init(transactionHash: Digest32, index: UInt64, treeSize: UInt64, commitTimeMs: UInt64) {
        self.transactionHash = transactionHash
        self.index = index
        self.treeSize = treeSize
        self.commitTimeMs = commitTimeMs
    }

    public var description: String {
        "index=\(index) tx=\(transactionHash.hex) size=\(treeSize) time=\(commitTimeMs)"
    }
}

/// Per-record answer to a batch write: each record lands or fails on its own.
public typealias RecordOutcome = Result<Receipt, LedgerError>
