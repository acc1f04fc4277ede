import Foundation

/// Ledger times (UTC milliseconds) as text for tables: ISO 8601 in UTC, to the millisecond.
enum Timestamps {
    static func text(_ milliseconds: Int64) -> String {
        guard milliseconds != 0 else { return "-" }
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
