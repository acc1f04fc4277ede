import Histogram

/// Latencies kept in an HdrHistogram in nanoseconds (3 significant digits, so ±0.1 %), reported in microseconds.
/// Nanoseconds rather than microseconds because a proof or a look-up takes only a few microseconds.
public struct LatencyRecorder: Sendable {
    /// Up to an hour: an open-loop run against a stalled server charges every delayed operation its whole wait.
    private var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)

    public init() {}

    public mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(min(max(1, nanoseconds), 3_600_000_000_000))
    }

    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    public var count: UInt64 { histogram.totalCount }

    /// The value at `percentile` (0...100) in nanoseconds; 0 when nothing was recorded.
    public func nanoseconds(atPercentile percentile: Double) -> UInt64 {
        histogram.totalCount == 0 ? 0 : histogram.valueAtPercentile(percentile)
    }

    public var summary: LatencySummary {
        func micros(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1000 }
        return LatencySummary(count: histogram.totalCount,
                              p50: micros(nanoseconds(atPercentile: 50)),
                              p90: micros(nanoseconds(atPercentile: 90)),
                              p99: micros(nanoseconds(atPercentile: 99)),
                              p999: micros(nanoseconds(atPercentile: 99.9)),
                              max: micros(histogram.totalCount == 0 ? 0 : histogram.max),
                              mean: histogram.totalCount == 0 ? 0 : histogram.mean / 1000)
    }
}

/// Percentiles of one latency distribution, in microseconds.
public struct LatencySummary: Codable, Sendable {
    public let count: UInt64
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let p999: Double
    public let max: Double
    public let mean: Double
}
