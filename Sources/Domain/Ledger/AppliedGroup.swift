import YibaoCrypto

/// A group of commands the writer has applied but not committed: the writes to commit (`layer`), and what to
/// publish and answer once they are durable.
struct AppliedGroup: @unchecked Sendable {
    enum Answer {
        case batch([RecordOutcome])
        case batchFailed(LedgerError)
        case node(Receipt)
        case nodeFailed(LedgerError)
    }

    let layer: LMDBWriteLayer
    /// The commit time every entry of the group carries.
    let timeMs: UInt64
    /// Signed tree heads stored with the group (returned to the signer if it fails).
    let heads: [SignedTreeHead]
    private(set) var commands: [WriteCommand] = []
    var answers: [Answer] = []
    /// The tree with the group's entries appended.
    var frontier: MerkleFrontier
    /// Registrations made by this group: not yet published, already in force for what follows.
    var registrations: [String: OrgRegistration] = [:]
    /// Those of the group committing under this one (published only once it is durable).
    let inheritedRegistrations: [String: OrgRegistration]
    var newLeaves: [(Digest32, UInt64)] = []
    /// Roots of 1024 leaves and more completed by this group, for the in-memory upper tree.
    var upperRoots: [SubtreeRoot] = []
    private(set) var recordCount = 0
    private(set) var byteCount = 0

    init(timeMs: UInt64, heads: [SignedTreeHead], frontier: MerkleFrontier, inheritedRegistrations: [String: OrgRegistration]) {
        self.layer = LMDBWriteLayer()
        self.timeMs = timeMs
        self.heads = heads
        self.frontier = frontier
        self.inheritedRegistrations = inheritedRegistrations
    }

    /// An org's registration as this group sees it, if it or the group under it made one.
    func unpublishedRegistration(of org: String) -> OrgRegistration? {
        registrations[org] ?? inheritedRegistrations[org]
    }

    mutating func add(_ applied: [WriteCommand]) {
        commands.append(contentsOf: applied)
        for command in applied {
            recordCount += command.recordCount
            byteCount += command.byteCount
        }
    }

    /// Gives up the group: its signed heads go back to the signer (to ride with a later group) and every caller gets
    /// the error (`WriteCommand.fail`).
    func abandon(_ error: any Error, returningHeadsTo signer: TreeHeadSigner) {
        signer.returnUnstored(heads)
        for command in commands { command.fail(error) }
    }

    /// Resumes every caller with its answer; only after the group is durable.
    func answerAll() {
        for (command, answer) in zip(commands, answers) {
            switch (command, answer) {
            case (.batch(let b), .batch(let outcomes)): b.continuation.resume(returning: outcomes)
            case (.batch(let b), .batchFailed(let error)): b.continuation.resume(throwing: error)
            case (.nodeEntry(_, _, _, _, let afterCommit, let c), .node(let receipt)):
                afterCommit()
                c.resume(returning: receipt)
            case (.nodeEntry(_, _, _, _, _, let c), .nodeFailed(let error)): c.resume(throwing: error)
            default: preconditionFailure("answer does not match its command")
            }
        }
    }
}
