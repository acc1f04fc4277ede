import Foundation
import YibaoLoadSupport

/// Once a second: takes the last second's figures from the recorder, samples the local server, prints the
/// progress line, and keeps the point for the plot. At the end of the warm-up it starts the resource meters,
/// so CPU and peak memory cover the measured part only. Returns everything when cancelled.
struct ProgressTicker: Sendable {
    let recorder: LoadRecorder
    let start: UInt64
    let warmupEnd: UInt64
    let serverPID: Int32?
    let printing: Bool
    let log: @Sendable (String) -> Void

    struct Output: Sendable {
        var points: [TimelinePoint]
        var resources: ResourceUse
    }

    func run() async -> Output {
        var points: [TimelinePoint] = []
        var server = serverPID.map(ServerProcessMonitor.init)
        var measuring = false
        var clientCPUStart = ProcessCPUTime.seconds()
        var machineMeter = MachineLoad.Meter.start(alsoExcluding: serverPID.map { [$0] } ?? [])
        var measureStart = start
        var lastTick = start
        var lastClientCPU = clientCPUStart
        var lastServerCPU = serverPID.flatMap { ProcessCPUTime.seconds(pid: $0) }
        var tick = 1

        func beginMeasuring(at now: UInt64) {
            measuring = true
            measureStart = now
            clientCPUStart = ProcessCPUTime.seconds()
            machineMeter = MachineLoad.Meter.start(alsoExcluding: serverPID.map { [$0] } ?? [])
            server?.start()
        }

        func takePoint(now: UInt64) {
            let (interval, p99SoFar, measuredCalls) = recorder.takeInterval()
            let seconds = max(Double(now - lastTick) / 1e9, 1e-6)
            let clientCPU = ProcessCPUTime.seconds()
            let serverCPU = serverPID.flatMap { ProcessCPUTime.seconds(pid: $0) }
            let anonymousKiB = server?.sample()
            let latency = interval.latency.summary
            let point = TimelinePoint(
                second: (Double(now - start) / 1e9 * 100).rounded() / 100, measured: measuring && lastTick >= measureStart,
                calls: interval.tally.calls, records: interval.tally.records, errors: interval.tally.errors,
                callsPerSecond: Double(interval.tally.calls) / seconds,
                recordsPerSecond: Double(interval.tally.recordsSucceeded) / seconds,
                p50Micros: latency.p50, p90Micros: latency.p90, p99Micros: latency.p99, maxMicros: latency.max,
                p99MicrosByKind: interval.latencyByKind.isEmpty ? nil : interval.latencyByKind.mapValues { $0.summary.p99 },
                clientCores: (clientCPU - lastClientCPU) / seconds,
                serverCores: serverCPU.flatMap { now in lastServerCPU.map { (now - $0) / seconds } },
                serverAnonymousMiB: anonymousKiB.map { Double($0) / 1024 })
            points.append(point)
            lastTick = now
            lastClientCPU = clientCPU
            lastServerCPU = serverCPU
            if printing {
                log(ProgressLine.render(point, warmingUp: !measuring, p99SoFarMicros: measuredCalls == 0 ? nil : Double(p99SoFar) / 1000))
            }
        }

        if warmupEnd <= start { beginMeasuring(at: start) }
        while !Task.isCancelled {
            let nextTick = start + UInt64(tick) * 1_000_000_000
            let wake = measuring ? nextTick : min(nextTick, warmupEnd)
            let now = MonotonicClock.nanoseconds()
            if wake > now {
                do { try await Task.sleep(nanoseconds: wake - now) } catch { break }
            }
            let woke = MonotonicClock.nanoseconds()
            if !measuring && woke >= warmupEnd {
                // The warm-up's last partial second is its own point, so no point mixes the two phases.
                if woke > lastTick + 1_000_000 { takePoint(now: woke) }
                beginMeasuring(at: woke)
                if woke >= nextTick { tick += 1 }
                continue
            }
            takePoint(now: woke)
            tick += 1
        }
        let finished = MonotonicClock.nanoseconds()
        if finished > lastTick + 10_000_000 { takePoint(now: finished) }

        let measuredSeconds = max(Double(finished - measureStart) / 1e9, 1e-6)
        let clientSeconds = ProcessCPUTime.seconds() - clientCPUStart
        var serverUse: ServerResourceUse?
        if let server, let memory = ProcessMemory.current(pid: server.pid, peakWasReset: server.peakWasReset) {
            let cpu = server.cpuSeconds() ?? 0
            serverUse = ServerResourceUse(
                pid: server.pid, cpuSeconds: cpu, cores: cpu / measuredSeconds,
                peakResidentMiB: Double(memory.peakResidentKiB) / 1024, peakCoversRunOnly: server.peakWasReset,
                residentAtEndMiB: Double(memory.residentKiB) / 1024, anonymousAtEndMiB: Double(memory.anonymousKiB) / 1024,
                maxAnonymousMiB: Double(max(server.maxAnonymousKiB, memory.anonymousKiB)) / 1024,
                fileBackedAtEndMiB: Double(memory.fileBackedKiB) / 1024)
        }
        let resources = ResourceUse(clientCPUSeconds: clientSeconds, clientCores: clientSeconds / measuredSeconds,
                                    server: serverUse, machineLoad: machineMeter.finish())
        return Output(points: points, resources: resources)
    }
}

/// `[ 12s] measure   1,234 calls/s   123,400 rec/s landed   errors 3   p99 now 12.3 ms   p99 so far 11.0 ms   server 1.2 cores 212 MiB`
enum ProgressLine {
    static func render(_ point: TimelinePoint, warmingUp: Bool, p99SoFarMicros: Double?) -> String {
        var line = String(format: "[%5.0fs] %@ %9@ calls/s %11@ rec/s landed  errors %@  p99 now %@  so far %@",
                          point.second, (warmingUp ? "warm-up" : "measure") as NSString,
                          Figures.count(point.callsPerSecond) as NSString, Figures.count(point.recordsPerSecond) as NSString,
                          Figures.count(Double(point.errors)) as NSString,
                          (point.calls == 0 ? "-" : Figures.micros(point.p99Micros)) as NSString,
                          (p99SoFarMicros.map(Figures.micros) ?? "-") as NSString)
        line += String(format: "  client %.2f cores", point.clientCores)
        if let cores = point.serverCores { line += String(format: "  server %.2f cores", cores) }
        if let anonymous = point.serverAnonymousMiB { line += String(format: " %.0f MiB anon", anonymous) }
        return line
    }
}
