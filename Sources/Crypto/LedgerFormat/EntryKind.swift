/// What a ledger entry records. The number is part of the hashed bytes and never changes meaning;
/// the domain registers its own kinds (invoice issued, settlement uploaded, ...) from 100 up.
public struct EntryKind: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public let name: String
    /// Written by the node itself (genesis, registry, seals); an org may not submit it.
    public let isNodeWritten: Bool

    public init(_ rawValue: UInt16, _ name: String, nodeWritten: Bool = false) {
        self.rawValue = rawValue
        self.name = name
        self.isNodeWritten = nodeWritten
    }

    public var description: String { "\(name)(\(rawValue))" }

    public static func == (a: EntryKind, b: EntryKind) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// First entry of every ledger: the node id, its public key and the hash algorithm.
    public static let genesis = EntryKind(1, "genesis", nodeWritten: true)
    /// An org joins the registry: code, role, SM2 public key.
    public static let orgRegistered = EntryKind(2, "org_registered", nodeWritten: true)
    /// Closes a request batch: commit time, where each record landed, and the org's signature over all of them.
    public static let batchSeal = EntryKind(3, "batch_seal", nodeWritten: true)
    /// The node's audit trail head (`AuditAnchor`), so the trail's tail is covered by signed tree heads.
    public static let auditAnchor = EntryKind(4, "audit_anchor", nodeWritten: true)
    /// Every kind the node writes itself.
    public static let nodeWrittenKinds: [EntryKind] = [.genesis, .orgRegistered, .batchSeal, .auditAnchor]

    /// Whether an entry of kind number `number` was written by the node (and so holds no org's record data).
    public static func isNodeWritten(_ number: UInt16) -> Bool { nodeWrittenKinds.contains { $0.rawValue == number } }

    /// 存证: bytes an org wants notarized as they are, with no lifecycle of their own.
    public static let attestation = EntryKind(16, "attestation")
}
