import YibaoRPC

/// What one operation (one RPC, or a short fixed sequence of them) did: how many records it carried, how many
/// landed, and how the rest failed. Status codes are gRPC's numbers (0 OK, 3 INVALID_ARGUMENT, ...).
public struct OperationOutcome: Sendable {
    /// What kind of operation this was (`get-invoice`, `lock-enter`, `feed`), for the per-kind figures of a mixed
    /// run; nil: the scenario's only kind, reported under the scenario's name.
    public var kind: String?
    /// Records the operation carried (a batch write: its size; a query: 1).
    public var records: Int
    /// Records that landed (writes) or were answered (queries).
    public var succeeded = 0
    /// The call's own status; non-zero when the call failed as a whole (then no record succeeded).
    public var callStatus = 0
    /// Per-record failures of a batch that succeeded as a call: status code → records.
    public var recordFailures: [Int: Int] = [:]
    /// Deliberately bad records sent, and how many of them failed with exactly their expected status and field.
    public var defectsSent = 0
    public var defectsRefusedAsExpected = 0
    /// Failures nobody planned: good records refused, or a bad one refused with the wrong status or field.
    public var unexpectedFailures = 0
    /// The first unexpected failure's status and message, for the report.
    public var firstUnexpected: String?

    public init(records: Int, kind: String? = nil) {
        self.records = records
        self.kind = kind
    }

    /// A call that failed as a whole: every record it carried failed with the call's status.
    public static func callFailed(records: Int, code: Int, message: String, expected: Bool = false) -> OperationOutcome {
        var outcome = OperationOutcome(records: records)
        outcome.callStatus = code
        if !expected {
            outcome.unexpectedFailures = records
            outcome.firstUnexpected = "\(GRPCStatusName.name(code)): \(message)"
        }
        return outcome
    }

    /// One record failed with `code`; `expected` says whether that was the plan (a deliberate defect).
    public mutating func recordFailed(code: Int, message: String, expected: Bool) {
        recordFailures[code, default: 0] += 1
        if !expected {
            unexpectedFailures += 1
            if firstUnexpected == nil { firstUnexpected = "\(GRPCStatusName.name(code)): \(message)" }
        }
    }

    /// This outcome under `kind`.
    public func of(kind: String) -> OperationOutcome {
        var tagged = self
        tagged.kind = kind
        return tagged
    }

    /// Adds another operation's counts (operations made of several calls); the kind stays this one's.
    public mutating func absorb(_ other: OperationOutcome) {
        records += other.records
        succeeded += other.succeeded
        if callStatus == 0 { callStatus = other.callStatus }
        for (code, count) in other.recordFailures { recordFailures[code, default: 0] += count }
        defectsSent += other.defectsSent
        defectsRefusedAsExpected += other.defectsRefusedAsExpected
        unexpectedFailures += other.unexpectedFailures
        if firstUnexpected == nil { firstUnexpected = other.firstUnexpected }
    }
}

/// gRPC status names by number, for reports (the numbers are what travels and what JSON keeps).
public enum GRPCStatusName {
    public static func name(_ code: Int) -> String { GRPCStatus.Code(rawValue: code)?.canonicalName ?? "STATUS_\(code)" }
}
