import CoreMetrics
import Prometheus
import Synchronization
import YibaoLedger

/// The node's metrics: one Prometheus registry per node, so that nodes sharing a process (the tests) keep their
/// own figures and nothing depends on swift-metrics' process-wide bootstrap. Events are recorded as they happen
/// (calls, group commits); levels (queue depth, audit backlog, connections) are read at each scrape by the
/// samplers the node adds, so nothing polls between scrapes. docs/node-and-cli.md ("Metrics") lists every name.
public final class NodeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// For swift-metrics objects (`Counter(label:dimensions:factory:)`): the engine's and the router's.
    public let factory: PrometheusMetricsFactory
    private let samplers = Mutex<[(gauge: Prometheus.Gauge, read: @Sendable () -> Double)]>([])

    /// RPC calls take microseconds to seconds; group commits tens of microseconds (no fsync) to a second.
    static let durationBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10)]
    /// Records per group: one interactive call up to the 32,768-record cap.
    static let groupRecordBuckets: [Double] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 32_768]

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        factory.valueHistogramBuckets[LedgerMetrics.groupRecordsLabel] = Self.groupRecordBuckets
        self.factory = factory
    }

    /// A gauge `yibao_<subsystem>_<name>` (`unit`: `records`, `events`, `bytes`, ...) whose value is `read()` at
    /// each scrape.
    public func addSampledGauge(subsystem: String, name: String, unit: String, help: String,
                                read: @escaping @Sendable () -> Double) {
        let gauge = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "yibao", subsystem: subsystem,
                                                                        metricName: name, unitName: unit, helpText: help))
        samplers.withLock { $0.append((gauge, read)) }
    }

    /// The text exposition format (version 0.0.4), the sampled gauges read first.
    public func exposition() -> [UInt8] {
        let current = samplers.withLock { $0 }
        for (gauge, read) in current { gauge.set(read()) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
