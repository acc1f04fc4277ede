import YibaoLoadSupport
import YibaoCrypto
import YibaoLedger

/// What the submitters saw: the receipts (transaction hash and index, to look them up afterwards),
/// every failure, and the submit → receipt latency of each batch.
struct SubmissionTally: Sendable {
    struct Landed: Sendable {
        let hash: Digest32
        let index: UInt64
    }

    var keepsReceipts = true
    var landed: [Landed] = []
    var failedRecords = 0
    var failedBatches = 0
    var firstFailure: String?
    var latency = LatencyRecorder()

    var failures: Int { failedRecords + failedBatches }

    mutating func note(_ outcomes: [RecordOutcome]) {
        for outcome in outcomes {
            switch outcome {
            case .success(let receipt):
                if keepsReceipts { landed.append(Landed(hash: receipt.transactionHash, index: receipt.index)) }
            case .failure(let error):
                failedRecords += 1
                if firstFailure == nil { firstFailure = "\(error)" }
            }
        }
    }

    mutating func noteFailedBatch(_ error: any Error) {
        failedBatches += 1
        if firstFailure == nil { firstFailure = "\(error)" }
    }

    mutating func merge(_ other: SubmissionTally) {
        landed += other.landed
        failedRecords += other.failedRecords
        failedBatches += other.failedBatches
        if firstFailure == nil { firstFailure = other.firstFailure }
        latency.merge(other.latency)
    }
}
