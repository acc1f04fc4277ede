import Dispatch
import YibaoCrypto

/// Everything checked before a batch may queue for the writer, on the caller's thread so that hashing and
/// SM2 verification spread over the cores: shape and limits, the org, every record's leaf hash, the signature.
/// Record-level faults (unknown kind, empty, oversized) do not fail the batch: the record fails alone.
struct BatchAdmission {
    let configuration: LedgerConfiguration
    let hashing: MerkleHashing
    let published: LedgerPublishedState
    let dataKey: NodeDataKey
    /// The queue the batch is for: its room is checked once the batch's shape is, before the costly part.
    let queue: WriteQueue

    struct Admitted {
        /// As stored: private ranges already sealed (`EntrySealing`).
        let entries: [[UInt8]]
        let leafHashes: [Digest32]
        let refusals: [Int: LedgerError]
        let digest: Digest32
        /// The registration the signature and role were checked against.
        let registration: OrgRegistration
        /// What the state machine decoded from each record at admission, for its `apply` (nil: no state machine).
        let admitted: (any AdmittedRecords)?
    }

    /// Below this many records a batch is hashed on the caller's thread alone.
    static let parallelHashingThreshold = 64

    static func checkOrgCode(_ org: String) throws(LedgerError) {
        guard !org.isEmpty, org.utf8.count <= LedgerEntry.maxOrgLength,
              org.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw LedgerError(.invalidArgument,
                              "org code must be 1 to \(LedgerEntry.maxOrgLength) printable ASCII characters, got '\(org.prefix(80))'")
        }
    }

    func admit(_ batch: SignedBatch) throws(LedgerError) -> Admitted {
        try Self.checkOrgCode(batch.org)
        guard !batch.requestId.isEmpty, batch.requestId.utf8.count <= LedgerEntry.maxRequestIdLength,
              !batch.requestId.utf8.contains(0) else {
            throw LedgerError(.invalidArgument,
                              "request_id must be 1 to \(LedgerEntry.maxRequestIdLength) bytes without NUL, got \(batch.requestId.utf8.count) bytes")
        }
        guard !batch.records.isEmpty else { throw LedgerError(.invalidArgument, "records: the batch is empty") }
        guard batch.records.count <= configuration.maxRecordsPerBatch else {
            throw LedgerError(.invalidArgument,
                              "records: the batch holds \(batch.records.count) records; the limit is \(configuration.maxRecordsPerBatch)")
        }
        guard let org = published.org(batch.org) else {
            throw LedgerError(.unauthenticated, "org \(batch.org) is not in the registry")
        }
        if let authentication = batch.authentication {
            guard authentication.isEncodable else {
                throw LedgerError(.invalidArgument, "authentication: a method over 255 bytes, a signature over "
                                  + "\(BatchAuthentication.maxSignatureLength) bytes or a fingerprint that is not 32 bytes")
            }
        } else {
            guard !batch.signature.isEmpty else {
                throw LedgerError(.unauthenticated, "signature: the batch of org \(batch.org) is unsigned")
            }
        }
        // A malformed batch gets its own refusal above; a well-formed one is refused as overloaded before the hashing,
        // SM2 check and sealing below, which it would not use. Each entry holds at least its payload, so payloads that
        // do not fit will not fit once encoded.
        try queue.checkRoom(records: batch.records.count, bytes: batch.records.reduce(0) { $0 + $1.payload.count })

        let (entries, leaves) = encodeAndHash(batch)
        let message = BatchSigningMessage.bytes(org: batch.org, requestId: batch.requestId, leafHashes: leaves)
        // An attested batch's seal carries no signature of its own: the seal entry, evidence included, is a leaf
        // under the next signed tree head, which is the node's signature over it.
        if batch.authentication == nil {
            guard org.publicKey.isValidSignature(batch.signature, for: message) else {
                throw LedgerError(.unauthenticated,
                                  "signature: does not verify with org \(batch.org)'s registered key over the batch's \(batch.records.count) records")
            }
        }

        var refusals: [Int: LedgerError] = [:]
        let identity = OrgIdentity(code: batch.org, role: org.registration.role)
        let kinds = Set(configuration.submittableKinds.map(\.rawValue)).union((configuration.stateMachine?.kinds ?? []).map(\.rawValue))
        for (position, record) in batch.records.enumerated() {
            if let refusal = refusal(for: record, entrySize: entries[position].count, position: position, kinds: kinds) {
                refusals[position] = refusal
            }
        }
        let admitted = configuration.stateMachine.map { admitRecords(of: batch, to: $0, by: identity, refusals: &refusals) }
        return Admitted(entries: sealedForStorage(entries, of: batch, leaves: leaves, refusals: refusals), leafHashes: leaves,
                        refusals: refusals, digest: configuration.hashAlgorithm.hash(message),
                        registration: org.registration, admitted: admitted)
    }

    /// The machine's `admit` for each record of its kinds that passed the engine's own checks, typed as the machine's.
    private func admitRecords<Machine: LedgerStateMachine>(of batch: SignedBatch, to machine: Machine, by identity: OrgIdentity,
                                                           refusals: inout [Int: LedgerError]) -> any AdmittedRecords {
        var admissions = MachineAdmissions(machine: machine, count: batch.records.count)
        let machineKinds = Set(machine.kinds.map(\.rawValue))
        let scope = machine.admissionScope(for: identity)
        for (position, record) in batch.records.enumerated() where refusals[position] == nil && machineKinds.contains(record.kind) {
            switch machine.admit(record, position: position, by: identity, scope: scope, dataKey: dataKey) {
            case .success(let value): admissions.values[position] = value
            case .failure(let refusal): refusals[position] = refusal
            }
        }
        return admissions
    }

    private func refusal(for record: LedgerRecord, entrySize: Int, position: Int, kinds: Set<UInt16>) -> LedgerError? {
        guard kinds.contains(record.kind) else {
            if let known = EntryKind.nodeWrittenKinds.first(where: { $0.rawValue == record.kind }) {
                return LedgerError(.permissionDenied, field: "records[\(position)].kind", "\(known.name) entries are written by the node only")
            }
            return LedgerError(.invalidArgument, field: "records[\(position)].kind", "unknown entry kind \(record.kind)")
        }
        guard !record.payload.isEmpty else {
            return LedgerError(.invalidArgument, field: "records[\(position)].payload", "is empty")
        }
        guard entrySize <= configuration.maxEntryBytes else {
            return LedgerError(.invalidArgument,
                               field: "records[\(position)].payload", "the entry is \(entrySize) bytes; the limit is \(configuration.maxEntryBytes)")
        }
        return nil
    }

    /// The entries as the writer stores them: private ranges sealed here, on the caller's thread, so the writer
    /// only copies bytes. Refused records are never stored and not sealed.
    private func sealedForStorage(_ entries: [[UInt8]], of batch: SignedBatch, leaves: [Digest32],
                                  refusals: [Int: LedgerError]) -> [[UInt8]] {
        guard let privacy = configuration.entryPrivacy else { return entries }
        var stored = entries
        let dataKey = self.dataKey
        stored.withUnsafeMutableBufferPointer { buffer in
            // As in `encodeAndHash`: each position is written by exactly one iteration.
            nonisolated(unsafe) let buffer = buffer
            let count = entries.count
            let chunks = count < Self.parallelHashingThreshold ? 1 : 8
            let chunkSize = (count + chunks - 1) / chunks
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for position in chunk * chunkSize..<min(count, (chunk + 1) * chunkSize) where refusals[position] == nil {
                    buffer[position] = EntrySealing.sealForStorage(kind: batch.records[position].kind, entry: entries[position],
                                                                   payload: batch.records[position].payload,
                                                                   transactionHash: leaves[position], privacy: privacy,
                                                                   dataKey: dataKey)
                }
            }
        }
        return stored
    }

    /// Encodes each record's entry and hashes its leaf; large batches are split across the cores.
    private func encodeAndHash(_ batch: SignedBatch) -> ([[UInt8]], [Digest32]) {
        let count = batch.records.count
        var entries = [[UInt8]](repeating: [], count: count)
        var leaves = [Digest32](repeating: .zero, count: count)
        let hashing = self.hashing
        entries.withUnsafeMutableBufferPointer { entryBuffer in
            leaves.withUnsafeMutableBufferPointer { leafBuffer in
                // Each position is written by exactly one iteration, so the buffers are shared without a lock.
                nonisolated(unsafe) let entryBuffer = entryBuffer
                nonisolated(unsafe) let leafBuffer = leafBuffer
                let chunks = count < Self.parallelHashingThreshold ? 1 : 8
                let chunkSize = (count + chunks - 1) / chunks
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    for position in chunk * chunkSize..<min(count, (chunk + 1) * chunkSize) {
                        let entry = batch.records[position].entry(org: batch.org, requestId: batch.requestId,
                                                                  position: position).encoded
                        leafBuffer[position] = hashing.leafHash(entry)
                        entryBuffer[position] = entry
                    }
                }
            }
        }
        return (entries, leaves)
    }
}
