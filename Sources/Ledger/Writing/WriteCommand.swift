import YibaoCrypto

/// A batch that passed every check that needs no state (shape, signature), hashed and encoded by the caller,
/// waiting for the writer. Refusals found so far travel with it: a bad record fails alone.
struct PreparedBatch: Sendable {
    let org: String
    let requestId: String
    /// The records' entries as stored (private ranges sealed); `leafHashes` are of the plain entries.
    let entries: [[UInt8]]
    /// Each record's kind and payload, for the state machine (the entry bytes hold them too, encoded).
    let kinds: [UInt16]
    let payloads: [[UInt8]]
    /// What the state machine admitted for each record (`LedgerStateMachine.admit`), with the machine; nil without one.
    let admitted: (any AdmittedRecords)?
    let leafHashes: [Digest32]
    let refusals: [Int: LedgerError]
    /// The org's signature, or (empty) for an attested batch, the evidence of its authentication.
    let signature: [UInt8]
    let authentication: BatchAuthentication?
    /// The org's registration when the batch was admitted: the writer refuses the batch if it has changed since
    /// (a new key or role committed meanwhile), so rules and the auditor's replay judge it by the same registration.
    let registration: OrgRegistration
    /// SM3 of the signed message: tells a retry from a different batch under the same request id.
    let digest: Digest32
    let continuation: CheckedContinuation<[RecordOutcome], Error>

    var recordCount: Int { entries.count }
    var byteCount: Int { entries.reduce(0) { $0 + $1.count } }
}

/// Work for the single writer thread.
enum WriteCommand: Sendable {
    case batch(PreparedBatch)
    /// A node-written entry (org registration); answers with its receipt.
    /// `apply` updates derived state inside the transaction (it may run more than once: a group applied again after
    /// the one under it failed to commit);
    /// `afterCommit` publishes it in memory once the commit is durable.
    case nodeEntry(kind: EntryKind, requestId: String, payload: [UInt8], apply: @Sendable (LMDBTransaction) throws -> Void,
                   afterCommit: @Sendable () -> Void, continuation: CheckedContinuation<Receipt, Error>)

    var recordCount: Int {
        switch self {
        case .batch(let b): b.recordCount
        case .nodeEntry: 1
        }
    }

    var byteCount: Int {
        switch self {
        case .batch(let b): b.byteCount
        case .nodeEntry(_, _, let payload, _, _, _): payload.count
        }
    }

    /// Resumes the caller with the error: a `LedgerError` as it is, anything else as a storage failure.
    func fail(_ error: any Error) {
        let error = (error as? LedgerError) ?? LedgerError.storage(error)
        switch self {
        case .batch(let b): b.continuation.resume(throwing: error)
        case .nodeEntry(_, _, _, _, _, let c): c.resume(throwing: error)
        }
    }
}
