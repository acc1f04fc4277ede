import YibaoLoadSupport
import Foundation

/// Number formatting for the tables: figures a reader can compare at a glance.
enum Format {
    static func rate(_ perSecond: Double) -> String {
        grouped(Int(perSecond.rounded()))
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    static func micros(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    static func seconds(_ value: Double) -> String {
        value >= 60 ? String(format: "%.0f s (%.1f min)", value, value / 60) : String(format: "%.1f s", value)
    }

    static func ratio(_ value: Double) -> String {
        String(format: "%.1f×", value)
    }

    static func mebibytes(_ bytes: Int) -> String {
        String(format: bytes < 10 << 20 ? "%.1f MiB" : "%.0f MiB", Double(bytes) / Double(1 << 20))
    }

    static func kibAsMebibytes(_ kib: Int) -> String {
        String(format: "%.0f MiB", Double(kib) / 1024)
    }

    /// Left-aligned first column, right-aligned figures.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).map { "  " + $0 }.joined(separator: "\n")
    }
}

/// Progress on stderr, so stdout holds only the results.
enum Progress {
    private static let start = MonotonicClock.nanoseconds()

    static func note(_ message: String) {
        let elapsed = String(format: "%6.1f s", MonotonicClock.seconds(since: start))
        FileHandle.standardError.write(Data("[\(elapsed)] \(message)\n".utf8))
    }
}
