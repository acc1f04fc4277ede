import YibaoLoadSupport
import YibaoProto
import YibaoRPC

/// Turns a batch write's per-record results (or the call's failure) into an `OperationOutcome`, checking each
/// deliberately bad record against the status and field it must fail with.
enum BatchOutcome {
    /// `defects[i]`: the defect record i carries in this call's record type, if any.
    static func of(_ results: [Yibao_V1_RecordResult], defects: [RecordDefect?]) -> OperationOutcome {
        var outcome = OperationOutcome(records: defects.count)
        guard results.count == defects.count else {
            return .callFailed(records: defects.count, code: GRPCStatus.Code.internal.rawValue,
                               message: "\(results.count) results for \(defects.count) records")
        }
        for (result, defect) in zip(results, defects) {
            if defect != nil { outcome.defectsSent += 1 }
            switch result.outcome {
            case .receipt?:
                outcome.succeeded += 1
                if let defect {
                    outcome.unexpectedFailures += 1
                    if outcome.firstUnexpected == nil { outcome.firstUnexpected = "a record with defect \(defect.rawValue) landed" }
                }
            case .error(let error)?:
                let code = Int(error.code)
                let expected = defect.map { code == $0.expectedStatusCode && error.message.contains($0.expectedField) } ?? false
                if expected { outcome.defectsRefusedAsExpected += 1 }
                outcome.recordFailed(code: code, message: error.message, expected: expected)
            case nil:
                outcome.recordFailed(code: GRPCStatus.Code.internal.rawValue, message: "a result with neither receipt nor error", expected: false)
            }
        }
        return outcome
    }

    /// A call that threw: every record failed with the call's status.
    static func failed(_ error: any Error, records: Int) -> OperationOutcome {
        let status = error as? GRPCStatus ?? GRPCStatus(.unknown, "\(error)")
        return .callFailed(records: records, code: status.code.rawValue, message: status.message)
    }
}
