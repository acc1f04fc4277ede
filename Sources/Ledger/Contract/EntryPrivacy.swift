import YibaoCrypto

/// Which part of an entry is private: the engine keeps that range sealed at rest with the node's data key
/// (`EntrySealing`) and unseals it on every read, so the Merkle leaf, proofs, `entry(at:)` and replay all see the
/// exact plain bytes while the file holds no PII in clear. The business rules say which range; the engine seals.
public protocol EntryPrivacy: Sendable {
    /// The range of `payload` (of an entry of `kind`) to seal; nil or empty to store the entry as it is.
    func privateRange(kind: UInt16, payload: [UInt8]) -> Range<Int>?
}
