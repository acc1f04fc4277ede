import Histogram

/// Latencies kept in an HdrHistogram in nanoseconds (3 significant digits, so ±0.1 %), reported in microseconds.
/// Nanoseconds rather than microseconds because a proof or a look-up takes only a few microseconds.
struct LatencyRecorder: Sendable {
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    mutating func record(nanoseconds: UInt64) {
        histogram.record(max(1, nanoseconds))
    }

    mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    var summary: LatencySummary {
        func micros(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1000 }
        return LatencySummary(count: histogram.totalCount,
                              p50: micros(histogram.valueAtPercentile(50)),
                              p90: micros(histogram.valueAtPercentile(90)),
                              p99: micros(histogram.valueAtPercentile(99)),
                              p999: micros(histogram.valueAtPercentile(99.9)),
                              max: micros(histogram.max),
                              mean: histogram.totalCount == 0 ? 0 : histogram.mean / 1000)
    }
}

/// Percentiles of one latency distribution, in microseconds.
struct LatencySummary: Codable, Sendable {
    let count: UInt64
    let p50: Double
    let p90: Double
    let p99: Double
    let p999: Double
    let max: Double
    let mean: Double
}
