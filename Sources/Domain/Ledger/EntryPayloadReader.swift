import YibaoCrypto

/// The exact payload of an entry already in the ledger, inside a transaction: the stored bytes, their private range
/// unsealed with the entry's leaf hash, decoded. State that describes a record keeps the index of the entry that
/// holds it and reads it through this, rather than keeping a second (sealed) copy of the payload.
struct EntryPayloadReader {
    let txn: LMDBTransaction
    let schema: LedgerSchema
    let sealing: EntrySealing

    func payload(at index: UInt64) throws -> [UInt8] {
        guard let stored = try txn.get(schema.entries, key: index), stored.count > 8 else {
            throw LedgerError(.dataLoss, "the state names entry \(index), which is missing")
        }
        let leafHash = try MerkleNodeStore(db: schema.merkle).leafHash(at: index, in: txn)
        do {
            let bytes = try sealing.unsealFromStorage(UnsafeRawBufferPointer(rebasing: stored.dropFirst(8)),
                                                      transactionHash: leafHash, index: index)
            return try bytes.withUnsafeBytes { try LedgerEntry(decoding: $0) }.payload
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.dataLoss, "entry \(index), named by the state, does not open or decode: \(error)")
        }
    }
}
