import YibaoCrypto

/// A group of commands the writer has applied but not committed: the writes to commit (`layer`), and what to
/// publish and answer once they are durable.
struct AppliedGroup: @unchecked Sendable {
    enum Answer {
        case batch([RecordOutcome])
        case batchFailed(LedgerError)
        case node(Receipt)
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

    /// Records a command applied cleanly (its answer already appended).
    mutating func add(_ command: WriteCommand) {
        commands.append(command)
        recordCount += command.recordCount
        byteCount += command.byteCount
    }

    /// Where the group stood before a command, layer included.
    struct Checkpoint {
        fileprivate let savepoint: LMDBWriteLayer.Savepoint
        fileprivate let answerCount: Int
        fileprivate let frontier: MerkleFrontier
        fileprivate let registrations: [String: OrgRegistration]
        fileprivate let newLeafCount: Int
        fileprivate let upperRootCount: Int
    }

    /// Taken before each command; the arrays are kept as counts, so a checkpoint copies none of them.
    func checkpoint() -> Checkpoint {
        Checkpoint(savepoint: layer.savepoint(), answerCount: answers.count, frontier: frontier,
                   registrations: registrations, newLeafCount: newLeaves.count, upperRootCount: upperRoots.count)
    }

    /// Undoes everything since `checkpoint`, the latest one taken: the command that threw leaves nothing behind.
    mutating func rollBack(to checkpoint: Checkpoint) {
        layer.rollBack(to: checkpoint.savepoint)
        answers.removeLast(answers.count - checkpoint.answerCount)
        frontier = checkpoint.frontier
        registrations = checkpoint.registrations
        newLeaves.removeLast(newLeaves.count - checkpoint.newLeafCount)
        upperRoots.removeLast(upperRoots.count - checkpoint.upperRootCount)
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
            default: preconditionFailure("answer does not match its command")
            }
        }
    }
}
