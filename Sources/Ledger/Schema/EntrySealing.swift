import YibaoCrypto

/// The storage transform of entries: an entry with a private range is stored as `RangeSealedBytes` (only that
/// range sealed, so the cost stays proportional to the PII, not the entry), bound to its transaction hash so a
/// sealed box cannot be moved to another entry. Plain entries are stored as they are.
struct EntrySealing: Sendable {
    let dataKey: NodeDataKey?

    /// Binds a box to its entry: moved to another entry, it does not open.
    static func associatedData(_ transactionHash: Digest32) -> [UInt8] {
        Array("entry".utf8) + transactionHash.bytes
    }

    /// What the writer stores for `entry`, whose payload (its last bytes) is `payload`. Deterministic
    /// (`NodeDataKey.seal`): one entry always has one stored form.
    static func sealForStorage(kind: UInt16, entry: [UInt8], payload: [UInt8], transactionHash: Digest32,
                               privacy: (any EntryPrivacy)?, dataKey: NodeDataKey) -> [UInt8] {
        let payloadStart = entry.count - payload.count
        guard let privacy, let range = privacy.privateRange(kind: kind, payload: payload), !range.isEmpty else { return entry }
        return dataKey.seal(entry, range: (payloadStart + range.lowerBound)..<(payloadStart + range.upperBound),
                            from: transactionHash, associatedData: associatedData(transactionHash))
    }

    /// The exact entry bytes from what is stored (after the commit time); `transactionHash` is the stored leaf.
    func unsealFromStorage(_ stored: UnsafeRawBufferPointer, transactionHash: @autoclosure () throws -> Digest32,
                           index: UInt64) throws -> [UInt8] {
        guard RangeSealedBytes.isSealed(stored) else { return Array(stored) }
        guard let dataKey else { throw Self.keyNeeded(index: index) }
        return try dataKey.open(stored, associatedData: Self.associatedData(try transactionHash()))
    }

    static func keyNeeded(index: UInt64) -> LedgerError {
        LedgerError(.failedPrecondition, "entries are sealed; the data key is needed (entry \(index) holds a sealed PII section)")
    }
}
