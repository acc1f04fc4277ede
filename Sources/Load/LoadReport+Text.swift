import Foundation

extension LoadReport {
    /// The final report as a person reads it.
    public var text: String {
        var lines: [String] = []
        let mode: String
        switch plan.mode {
        case .closed(let concurrency): mode = "closed loop, concurrency \(concurrency)"
        case .open(let rate, let inFlight): mode = "open loop, \(Figures.count(rate)) operations/s due (at most \(inFlight) in flight), latency from the due time"
        }
        lines.append("yibao-load \(scenario) → \(target)")
        lines.append("  \(mode); warm-up \(plan.warmupSeconds) s, measured \(String(format: "%.1f", measuredSeconds)) s")
        if !settings.isEmpty {
            lines.append("  " + settings.keys.sorted().map { "\($0) \(settings[$0]!)" }.joined(separator: ", "))
        }
        lines.append("  machine: \(machine.cpuModel), \(machine.logicalCores) cores; load average \(Self.loads(loadAverageAtStart)) at start, \(Self.loads(loadAverageAtEnd)) at end; others' cores \(String(format: "%.2f", resources.machineLoad.otherProcessesCores)) during the run; commit \(machine.gitCommit ?? "unknown")")
        lines.append("throughput  \(Figures.count(callsPerSecond)) calls/s, \(Figures.count(recordsPerSecond)) records/s landed (\(Figures.count(Double(tally.calls))) calls, \(Figures.count(Double(tally.recordsSucceeded))) of \(Figures.count(Double(tally.records))) records)")
        lines.append("latency     p50 \(Figures.micros(latency.p50))  p90 \(Figures.micros(latency.p90))  p99 \(Figures.micros(latency.p99))  p99.9 \(Figures.micros(latency.p999))  max \(Figures.micros(latency.max))  (per call, \(latency.count) calls)")
        for figures in kinds {
            let l = figures.latency
            lines.append("  \(figures.kind.padding(toLength: 16, withPad: " ", startingAt: 0)) \(Figures.count(figures.callsPerSecond)) calls/s, p50 \(Figures.micros(l.p50))  p90 \(Figures.micros(l.p90))  p99 \(Figures.micros(l.p99))  p99.9 \(Figures.micros(l.p999))  max \(Figures.micros(l.max))  (\(l.count) calls, \(figures.tally.errors) errors)")
        }
        if case .open = plan.mode { lines.append("            \(lateStarts) operations started > 1 ms after they were due") }
        let calls = tally.callFailures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let records = tally.recordFailures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append("errors      calls: \(calls.isEmpty ? "none" : calls.joined(separator: ", ")); records: \(records.isEmpty ? "none" : records.joined(separator: ", "))")
        if tally.defectsSent > 0 {
            lines.append("bad records \(tally.defectsSent) sent on purpose, \(tally.defectsRefusedAsExpected) refused with their expected status and field")
        }
        lines.append("unexpected  \(tally.unexpectedFailures)" + (tally.unexpectedSamples.isEmpty ? "" : ": " + tally.unexpectedSamples.joined(separator: " | ")))
        lines.append(String(format: "client CPU  %.1f s, %.2f cores", resources.clientCPUSeconds, resources.clientCores))
        if let server = resources.server {
            lines.append(String(format: "server      pid %d: CPU %.1f s, %.2f cores; peak RSS %.0f MiB%@; RssAnon %.0f MiB at end (max %.0f MiB); RssFile %.0f MiB",
                                server.pid, server.cpuSeconds, server.cores, server.peakResidentMiB,
                                (server.peakCoversRunOnly ? " (this run)" : " (process lifetime)") as NSString,
                                server.anonymousAtEndMiB, server.maxAnonymousMiB, server.fileBackedAtEndMiB))
        }
        return lines.joined(separator: "\n")
    }

    private static func loads(_ values: [Double]) -> String {
        values.isEmpty ? "n/a" : values.map { String(format: "%.2f", $0) }.joined(separator: " ")
    }
}
