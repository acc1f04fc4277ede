/// How hard and how long to drive a scenario.
public struct LoadPlan: Sendable, Codable {
    public enum Mode: Sendable, Codable, Equatable {
        /// `concurrency` workers, each starting its next operation when the last one answered. Latency is
        /// measured from each operation's actual start, so it hides the waiting a slow server imposes on a real
        /// client (coordinated omission): use it for throughput.
        case closed(concurrency: Int)
        /// Operations are due at a fixed rate whatever the server does; latency is measured from each
        /// operation's intended start, so a stall is charged to every operation it delayed. At most
        /// `maxInFlight` operations are outstanding; beyond that, operations start late, and the lateness counts.
        case open(ratePerSecond: Double, maxInFlight: Int)
    }

    public var mode: Mode
    /// Operations in the warm-up run but are left out of the report (they still show in the progress line).
    public var warmupSeconds: Double
    public var durationSeconds: Double
    /// Stop after this many operations (warm-up included) even if time is left: exact runs for tests.
    public var maxOperations: Int?
    /// A progress line on standard error every second.
    public var progress: Bool

    public init(mode: Mode, warmupSeconds: Double = 2, durationSeconds: Double = 10, maxOperations: Int? = nil,
                progress: Bool = true) {
        self.mode = mode
        self.warmupSeconds = warmupSeconds
        self.durationSeconds = durationSeconds
        self.maxOperations = maxOperations
        self.progress = progress
    }

    var workers: Int {
        switch mode {
        case .closed(let concurrency): max(1, concurrency)
        case .open(_, let maxInFlight): max(1, maxInFlight)
        }
    }
}
