/// Sums of many operations' outcomes: the counts a report and a progress line show.
public struct OperationTally: Sendable, Codable, Equatable {
    public var calls = 0
    public var records = 0
    public var recordsSucceeded = 0
    /// Calls that failed as a whole, by status name.
    public var callFailures: [String: Int] = [:]
    /// Records of successful batch calls that failed on their own, by status name.
    public var recordFailures: [String: Int] = [:]
    public var defectsSent = 0
    public var defectsRefusedAsExpected = 0
    public var unexpectedFailures = 0
    public var unexpectedSamples: [String] = []

    public init() {}

    /// Failed calls plus failed records, expected or not.
    public var errors: Int { callFailures.values.reduce(0, +) + recordFailures.values.reduce(0, +) }

    mutating func add(_ outcome: OperationOutcome) {
        calls += 1
        records += outcome.records
        recordsSucceeded += outcome.succeeded
        if outcome.callStatus != 0 { callFailures[GRPCStatusName.name(outcome.callStatus), default: 0] += 1 }
        for (code, count) in outcome.recordFailures { recordFailures[GRPCStatusName.name(code), default: 0] += count }
        defectsSent += outcome.defectsSent
        defectsRefusedAsExpected += outcome.defectsRefusedAsExpected
        unexpectedFailures += outcome.unexpectedFailures
        if let sample = outcome.firstUnexpected, unexpectedSamples.count < 5, !unexpectedSamples.contains(sample) {
            unexpectedSamples.append(sample)
        }
    }
}
