import YibaoCrypto

/// Reads entries already in the ledger inside a transaction: the stored bytes, their private range unsealed with
/// the entry's leaf hash, and re-hashed against that leaf, so that nothing is served that the tree does not commit to. `Ledger.entry(at:)` answers through it, and so does state that keeps the index of the
/// entry holding a record rather than a second (sealed) copy of its payload.
struct EntryPayloadReader {
    let txn: LMDBTransaction
    let schema: LedgerSchema
    let sealing: EntrySealing
    let hashing: MerkleHashing

    /// The entry at `index` with its plain bytes; nil if there is none. A sealed range that does not open, or bytes
    /// that do not hash to the entry's Merkle leaf (its transaction hash), are `dataLoss` naming the index.
    func entry(at index: UInt64) throws -> StoredEntry? {
        guard let stored = try txn.get(schema.entries, key: index), stored.count >= 8 else { return nil }
        let leafHash = try MerkleNodeStore(db: schema.merkle).leafHash(at: index, in: txn)
        let bytes: [UInt8]
        do {
            bytes = try sealing.unsealFromStorage(UnsafeRawBufferPointer(rebasing: stored.dropFirst(8)),
                                                  transactionHash: leafHash, index: index)
        } catch let error as CryptoError {
            throw LedgerError(.dataLoss, "entry \(index): its sealed PII section does not open: \(error)")
        }
        // One SM3 over the entry (a few microseconds): a byte changed on disk must not be served as committed.
        guard hashing.leafHash(bytes) == leafHash else {
            throw LedgerError(.dataLoss, "entry \(index): its stored bytes do not hash to its transaction hash "
                              + "\(leafHash.hex) (the entry or its Merkle leaf was altered on disk)")
        }
        return StoredEntry(index: index, commitTimeMs: UInt64(bigEndian: stored.loadUnaligned(as: UInt64.self)),
                           bytes: bytes, leafHash: leafHash)
    }

    /// The payload of the entry at `index`, which the state names: a missing or undecodable entry is `dataLoss`.
    func payload(at index: UInt64) throws -> [UInt8] {
        guard let entry = try entry(at: index) else {
            throw LedgerError(.dataLoss, "the state names entry \(index), which is missing")
        }
        do {
            return try entry.decoded().payload
        } catch {
            throw LedgerError(.dataLoss, "entry \(index), named by the state, does not decode: \(error)")
        }
    }
}
