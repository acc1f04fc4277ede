import Foundation

/// Number formatting for reports and progress lines: figures a reader can compare at a glance.
public enum Figures {
    /// 1234567 → "1,234,567" (rounded).
    public static func count(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let rounded = Int(value.rounded())
        let digits = String(abs(rounded))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (rounded < 0 ? "-" : "") + out
    }

    /// Microseconds as "850 µs", "12.3 ms" or "1.52 s".
    public static func micros(_ value: Double) -> String {
        if value < 1000 { return String(format: "%.0f µs", value) }
        if value < 1_000_000 { return String(format: value < 100_000 ? "%.2f ms" : "%.1f ms", value / 1000) }
        return String(format: "%.2f s", value / 1_000_000)
    }
}
