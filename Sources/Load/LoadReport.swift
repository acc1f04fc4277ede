import YibaoLoadSupport

/// Everything one run measured, as `--json` writes it and the suite compares.
public struct LoadReport: Codable, Sendable {
    public var scenario: String
    /// host:port of the node, and what it is (our node, the grpc-swift-2 peer, ...); set by the caller.
    public var target = ""
    /// The scenario's knobs (batch size, hospitals, connections, defect share, ...), as text.
    public var settings: [String: String] = [:]
    public var plan: LoadPlan
    public var machine: MachineDescription
    /// `uptime`'s 1/5/15-minute load at the start and end: the machine is shared.
    public var loadAverageAtStart: [Double]
    public var loadAverageAtEnd: [Double]
    /// From the first measured operation's (intended) start to the last one's answer.
    public var measuredSeconds: Double
    public var tally: OperationTally
    /// Per operation (one RPC, or one batch), microseconds.
    public var latency: LatencySummary
    /// The same figures per kind of operation (`get-invoice`, `lock-enter`, `feed`) when the scenario mixes
    /// kinds; empty for a scenario of one kind.
    public var kinds: [KindFigures]
    /// Open loop: operations that started more than 1 ms after they were due (all workers busy).
    public var lateStarts: Int
    public var resources: ResourceUse
    public var timeline: [TimelinePoint]

    public var callsPerSecond: Double { measuredSeconds > 0 ? Double(tally.calls) / measuredSeconds : 0 }
    /// Records that landed (or queries answered) per second: the throughput figure.
    public var recordsPerSecond: Double { measuredSeconds > 0 ? Double(tally.recordsSucceeded) / measuredSeconds : 0 }

    private enum CodingKeys: String, CodingKey {
        case scenario, target, settings, plan, machine, loadAverageAtStart, loadAverageAtEnd, measuredSeconds, tally,
             latency, kinds, lateStarts, resources, timeline, callsPerSecond, recordsPerSecond
    }

    init(scenario: String, plan: LoadPlan, machine: MachineDescription, loadAverageAtStart: [Double],
         loadAverageAtEnd: [Double], measuredSeconds: Double, tally: OperationTally, latency: LatencySummary,
         kinds: [KindFigures] = [], lateStarts: Int, resources: ResourceUse, timeline: [TimelinePoint]) {
        self.scenario = scenario
        self.plan = plan
        self.machine = machine
        self.loadAverageAtStart = loadAverageAtStart
        self.loadAverageAtEnd = loadAverageAtEnd
        self.measuredSeconds = measuredSeconds
        self.tally = tally
        self.latency = latency
        self.kinds = kinds
        self.lateStarts = lateStarts
        self.resources = resources
        self.timeline = timeline
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scenario = try c.decode(String.self, forKey: .scenario)
        target = try c.decode(String.self, forKey: .target)
        settings = try c.decode([String: String].self, forKey: .settings)
        plan = try c.decode(LoadPlan.self, forKey: .plan)
        machine = try c.decode(MachineDescription.self, forKey: .machine)
        loadAverageAtStart = try c.decode([Double].self, forKey: .loadAverageAtStart)
        loadAverageAtEnd = try c.decode([Double].self, forKey: .loadAverageAtEnd)
        measuredSeconds = try c.decode(Double.self, forKey: .measuredSeconds)
        tally = try c.decode(OperationTally.self, forKey: .tally)
        latency = try c.decode(LatencySummary.self, forKey: .latency)
        kinds = try c.decodeIfPresent([KindFigures].self, forKey: .kinds) ?? []  // reports written before kinds
        lateStarts = try c.decode(Int.self, forKey: .lateStarts)
        resources = try c.decode(ResourceUse.self, forKey: .resources)
        timeline = try c.decode([TimelinePoint].self, forKey: .timeline)
    }

    /// The derived rates are written too, so a reader of the JSON need not recompute them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(target, forKey: .target)
        try c.encode(settings, forKey: .settings)
        try c.encode(plan, forKey: .plan)
        try c.encode(machine, forKey: .machine)
        try c.encode(loadAverageAtStart, forKey: .loadAverageAtStart)
        try c.encode(loadAverageAtEnd, forKey: .loadAverageAtEnd)
        try c.encode(measuredSeconds, forKey: .measuredSeconds)
        try c.encode(tally, forKey: .tally)
        try c.encode(latency, forKey: .latency)
        try c.encode(kinds, forKey: .kinds)
        try c.encode(lateStarts, forKey: .lateStarts)
        try c.encode(resources, forKey: .resources)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(callsPerSecond, forKey: .callsPerSecond)
        try c.encode(recordsPerSecond, forKey: .recordsPerSecond)
    }
}

/// One kind of operation of a mixed run: its counts, rates and latency percentiles (microseconds).
public struct KindFigures: Codable, Sendable {
    public var kind: String
    public var tally: OperationTally
    public var latency: LatencySummary
    public var callsPerSecond: Double
    public var recordsPerSecond: Double

    init(kind: String, tally: OperationTally, latency: LatencySummary, measuredSeconds: Double) {
        self.kind = kind
        self.tally = tally
        self.latency = latency
        callsPerSecond = measuredSeconds > 0 ? Double(tally.calls) / measuredSeconds : 0
        recordsPerSecond = measuredSeconds > 0 ? Double(tally.recordsSucceeded) / measuredSeconds : 0
    }
}

/// CPU and memory over the measured part.
public struct ResourceUse: Codable, Sendable {
    public var clientCPUSeconds: Double
    public var clientCores: Double
    /// Only when the node runs on this machine and its pid is known.
    public var server: ServerResourceUse?
    /// What the rest of the machine used meanwhile (others' builds and tests), client and server excluded.
    public var machineLoad: MachineLoad
}

public struct ServerResourceUse: Codable, Sendable {
    public var pid: Int32
    public var cpuSeconds: Double
    public var cores: Double
    /// VmHWM: peak resident set, including the LMDB pages the node touched.
    public var peakResidentMiB: Double
    /// Whether the peak mark was reset when the measured part began (else it covers the node's whole life).
    public var peakCoversRunOnly: Bool
    public var residentAtEndMiB: Double
    /// RssAnon: heap and stacks, the node's own memory (the 300 MiB target).
    public var anonymousAtEndMiB: Double
    public var maxAnonymousMiB: Double
    public var fileBackedAtEndMiB: Double
}

/// One second of the run (the last one may be shorter).
public struct TimelinePoint: Codable, Sendable {
    public var second: Double
    public var measured: Bool
    public var calls: Int
    /// Records sent in the interval, landed or not.
    public var records: Int
    public var errors: Int
    /// Calls finished per second, whatever their status.
    public var callsPerSecond: Double
    /// Records landed per second: as the report's `recordsPerSecond`, so a node refusing everything shows zero.
    public var recordsPerSecond: Double
    public var p50Micros: Double
    public var p90Micros: Double
    public var p99Micros: Double
    public var maxMicros: Double
    /// p99 of each kind of operation in the interval, when the scenario mixes kinds.
    public var p99MicrosByKind: [String: Double]?
    public var clientCores: Double
    public var serverCores: Double?
    public var serverAnonymousMiB: Double?
}
