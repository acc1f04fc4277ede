import Dispatch
import Synchronization
import YibaoCrypto
import YibaoLedger

/// The one org that submits everything, with what a client holds: its SM2 key and the payloads it sends.
/// Payloads come from a pool of random ones shared by reference: the ledger copies every record into its own
/// entry anyway, so distinct bytes per record would only cost the benchmark memory, not the ledger work.
struct BenchmarkClient: Sendable {
    static let org = "H46010600001"
    static let role = "hospital"

    let key = SM2PrivateKey()
    let payloads: [[UInt8]]

    init(payloadBytes: Int, poolSize: Int = 1024) {
        payloads = (0..<poolSize).map { _ in SecureRandom.bytes(count: payloadBytes) }
    }

    /// Records [first, first + count) of a run, each an attestation.
    func records(first: Int, count: Int) -> [LedgerRecord] {
        (first..<first + count).map { LedgerRecord(kind: .attestation, payload: payloads[$0 % payloads.count]) }
    }

    /// One batch, signed as the client would: SM3 over every record's entry, one SM2 signature over the leaves.
    func batch(number: Int, size: Int, recordsBefore: Int, run: String) throws -> SignedBatch {
        try SignedBatch.signing(org: Self.org, requestId: "\(run)-\(number)",
                                records: records(first: recordsBefore, count: size), key: key)
    }

    /// `records` records cut into batches of `batchSize` (the last may be smaller), signed on every core before
    /// any timing starts: signing is the client's cost, not the ledger's.
    func signedBatches(records: Int, batchSize: Int, run: String) throws -> [SignedBatch] {
        let count = (records + batchSize - 1) / batchSize
        var batches = [SignedBatch?](repeating: nil, count: count)
        let firstError = Mutex<(any Error)?>(nil)
        batches.withUnsafeMutableBufferPointer { buffer in
            // Each slot is written by exactly one iteration, so the buffer is shared without a lock.
            nonisolated(unsafe) let buffer = buffer
            DispatchQueue.concurrentPerform(iterations: count) { number in
                let first = number * batchSize
                do {
                    buffer[number] = try batch(number: number, size: min(batchSize, records - first),
                                               recordsBefore: first, run: run)
                } catch {
                    firstError.withLock { if $0 == nil { $0 = error } }
                }
            }
        }
        if let error = firstError.withLock({ $0 }) { throw error }
        return batches.map { $0! }
    }
}
