import Foundation

/// An SVG of a run's timeline: latency percentiles per second on a log scale above, throughput per second below,
/// the warm-up shaded. Plain SVG 1.1, no scripts, readable in any browser.
public enum LatencyPlot {
    static let width = 960.0, left = 80.0, right = 80.0
    static let latencyTop = 50.0, latencyHeight = 260.0
    static let rateTop = 360.0, rateHeight = 160.0
    static let height = 580.0

    public static func svg(_ report: LoadReport) -> String {
        let points = report.timeline
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="22" font-size="15" font-weight="bold">\(escape("yibao-load \(report.scenario) → \(report.target)"))</text>
            <text x="\(left)" y="40" fill="#555">\(escape(subtitle(report)))</text>

            """
        guard let last = points.last, last.second > 0 else { return svg + "<text x=\"\(left)\" y=\"100\">no data</text>\n</svg>\n" }
        let maxSecond = last.second
        func x(_ second: Double) -> Double { left + (width - left - right) * second / maxSecond }

        // Warm-up shading, over both panels.
        if let firstMeasured = points.firstIndex(where: \.measured), firstMeasured > 0 {
            let end = points[firstMeasured - 1].second
            svg += "<rect x=\(q(x(0))) y=\(q(latencyTop)) width=\(q(x(end) - x(0))) height=\(q(rateTop + rateHeight - latencyTop)) fill=\"#f0f0f0\"/>\n"
            svg += "<text x=\(q(x(0) + 4)) y=\(q(latencyTop + 14)) fill=\"#888\">warm-up</text>\n"
        }

        // Latency panel, log scale over whole decades that hold every value.
        let kinds = Set(points.flatMap { $0.p99MicrosByKind?.keys.map { $0 } ?? [] }).sorted()
        let latencies = points.flatMap { [$0.p50Micros, $0.p90Micros, $0.p99Micros, $0.maxMicros] + ($0.p99MicrosByKind?.values.map { $0 } ?? []) }
            .filter { $0 > 0 }
        let lowDecade = floor(log10(max(latencies.min() ?? 1, 1)))
        let highDecade = max(lowDecade + 1, ceil(log10(max(latencies.max() ?? 10, 1))))
        func yLatency(_ micros: Double) -> Double {
            let fraction = (log10(max(micros, pow(10, lowDecade))) - lowDecade) / (highDecade - lowDecade)
            return latencyTop + latencyHeight * (1 - fraction)
        }
        svg += axes(top: latencyTop, height: latencyHeight)
        for decade in stride(from: lowDecade, through: highDecade, by: 1) {
            let y = yLatency(pow(10, decade))
            svg += "<line x1=\(q(left)) x2=\(q(width - right)) y1=\(q(y)) y2=\(q(y)) stroke=\"#ddd\"/>\n"
            svg += "<text x=\(q(left - 6)) y=\(q(y + 4)) text-anchor=\"end\">\(escape(Figures.micros(pow(10, decade))))</text>\n"
        }
        svg += "<text x=\"16\" y=\(q(latencyTop + latencyHeight / 2)) transform=\"rotate(-90 16 \(latencyTop + latencyHeight / 2))\" text-anchor=\"middle\">latency per call (log)</text>\n"
        let series: [(String, String, KeyPath<TimelinePoint, Double>)] = [
            ("max", "#d62728", \.maxMicros), ("p99", "#ff7f0e", \.p99Micros), ("p90", "#2ca02c", \.p90Micros),
            ("p50", "#1f77b4", \.p50Micros)]
        for (index, (name, colour, path)) in series.enumerated() {
            let drawn = points.filter { $0.calls > 0 }
            svg += polyline(drawn.map { (x($0.second), yLatency($0[keyPath: path])) }, colour: colour)
            let legendX = width - right - 60.0 * Double(series.count - index)
            svg += "<rect x=\(q(legendX)) y=\(q(latencyTop - 12)) width=\"12\" height=\"3\" fill=\"\(colour)\"/>"
            svg += "<text x=\(q(legendX + 16)) y=\(q(latencyTop - 7))>\(name)</text>\n"
        }

        // Each kind's p99, dashed, when the run mixes kinds; its legend along the panel's foot.
        for (index, kind) in kinds.enumerated() {
            let colour = kindColours[index % kindColours.count]
            let drawn = points.compactMap { point in point.p99MicrosByKind?[kind].map { (x(point.second), yLatency($0)) } }
            svg += polyline(drawn, colour: colour, dashed: true)
            let legendX = left + 130.0 * Double(index)
            svg += "<line x1=\(q(legendX)) x2=\(q(legendX + 14)) y1=\(q(latencyTop + latencyHeight + 26)) y2=\(q(latencyTop + latencyHeight + 26)) stroke=\"\(colour)\" stroke-dasharray=\"4 2\" stroke-width=\"2\"/>"
            svg += "<text x=\(q(legendX + 18)) y=\(q(latencyTop + latencyHeight + 30))>\(escape("p99 " + kind))</text>\n"
        }

        // Rate panel: records per second (left axis) and calls per second (right axis), both from zero.
        let maxRecords = niceCeiling(points.map(\.recordsPerSecond).max() ?? 1)
        let maxCalls = niceCeiling(points.map(\.callsPerSecond).max() ?? 1)
        func yRate(_ value: Double, _ top: Double) -> Double { rateTop + rateHeight * (1 - value / top) }
        svg += axes(top: rateTop, height: rateHeight)
        for step in 0...4 {
            let fraction = Double(step) / 4, y = rateTop + rateHeight * (1 - fraction)
            svg += "<line x1=\(q(left)) x2=\(q(width - right)) y1=\(q(y)) y2=\(q(y)) stroke=\"#eee\"/>\n"
            svg += "<text x=\(q(left - 6)) y=\(q(y + 4)) text-anchor=\"end\">\(Figures.count(maxRecords * fraction))</text>\n"
            svg += "<text x=\(q(width - right + 6)) y=\(q(y + 4)) fill=\"#9467bd\">\(Figures.count(maxCalls * fraction))</text>\n"
        }
        svg += polyline(points.map { (x($0.second), yRate($0.recordsPerSecond, maxRecords)) }, colour: "#17becf", width: 2)
        svg += polyline(points.map { (x($0.second), yRate($0.callsPerSecond, maxCalls)) }, colour: "#9467bd", width: 1)
        svg += "<text x=\"16\" y=\(q(rateTop + rateHeight / 2)) transform=\"rotate(-90 16 \(rateTop + rateHeight / 2))\" text-anchor=\"middle\" fill=\"#17becf\">records/s</text>\n"
        svg += "<text x=\(q(width - 14)) y=\(q(rateTop + rateHeight / 2)) transform=\"rotate(90 \(width - 14) \(rateTop + rateHeight / 2))\" text-anchor=\"middle\" fill=\"#9467bd\">calls/s</text>\n"

        // Time axis under both panels.
        let step = max(1, niceCeiling(maxSecond / 10))
        for second in stride(from: 0, through: maxSecond, by: step) {
            svg += "<text x=\(q(x(second))) y=\(q(rateTop + rateHeight + 16)) text-anchor=\"middle\">\(Int(second))</text>\n"
            svg += "<line x1=\(q(x(second))) x2=\(q(x(second))) y1=\(q(latencyTop + latencyHeight)) y2=\(q(latencyTop + latencyHeight + 4)) stroke=\"#333\"/>\n"
        }
        svg += "<text x=\(q(width / 2)) y=\(q(rateTop + rateHeight + 34)) text-anchor=\"middle\">seconds since start</text>\n"
        return svg + "</svg>\n"
    }

    private static func subtitle(_ report: LoadReport) -> String {
        var text = "\(Figures.count(report.recordsPerSecond)) records/s, \(Figures.count(report.callsPerSecond)) calls/s; "
        text += "p50 \(Figures.micros(report.latency.p50)), p99 \(Figures.micros(report.latency.p99)), max \(Figures.micros(report.latency.max))"
        if !report.loadAverageAtStart.isEmpty { text += String(format: "; load average %.2f at start", report.loadAverageAtStart[0]) }
        return text
    }

    private static func axes(top: Double, height: Double) -> String {
        "<rect x=\(q(left)) y=\(q(top)) width=\(q(width - left - right)) height=\(q(height)) fill=\"none\" stroke=\"#333\"/>\n"
    }

    /// Per-kind lines, apart from the overall percentiles' colours.
    static let kindColours = ["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79"]

    private static func polyline(_ points: [(Double, Double)], colour: String, width: Double = 1.5, dashed: Bool = false) -> String {
        guard !points.isEmpty else { return "" }
        let coordinates = points.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
        let dash = dashed ? " stroke-dasharray=\"4 2\"" : ""
        return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(width)\"\(dash)/>\n"
    }

    /// 1, 2 or 5 times a power of ten, at least `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 5, 10] where factor * power >= value { return factor * power }
        return 10 * power
    }

    private static func q(_ value: Double) -> String { String(format: "\"%.1f\"", value) }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
