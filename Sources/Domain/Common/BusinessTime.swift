/// Business times as the source gives them, Asia/Shanghai local: `yyyy-MM-dd HH:mm:ss` (19 ASCII characters),
/// checked against the calendar. Kept as strings: the ledger's own clock is UTC milliseconds.
public enum BusinessTime {
    public static let format = "yyyy-MM-dd HH:mm:ss"
    public static let dateFormat = "yyyy-MM-dd"
    /// Years outside this range are typing errors, not medical history.
    public static let years: ClosedRange<Int> = 1900...2999

    /// True for a real calendar moment written exactly as `yyyy-MM-dd HH:mm:ss`.
    public static func isDateTime(_ value: String) -> Bool {
        let b = Array(value.utf8)
        guard b.count == 19, b[10] == UInt8(ascii: " "), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              isDate(b[0..<10]),
              let hour = number(b[11..<13]), let minute = number(b[14..<16]), let second = number(b[17..<19])
        else { return false }
        return hour < 24 && minute < 60 && second < 60
    }

    /// True for a real calendar day written exactly as `yyyy-MM-dd`.
    public static func isDate(_ value: String) -> Bool { isDate(Array(value.utf8)[...]) }

    /// `yyyy-MM-dd` of a date or date-time string (the first ten characters).
    public static func day(of value: String) -> String { String(value.utf8.prefix(10)) ?? "" }

    /// True for a real day given as the eight digits `yyyyMMdd` (the birth date inside an ID number).
    static func isCompactDate(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count == 8, let year = number(b.prefix(4)), let month = number(b.dropFirst(4).prefix(2)),
              let day = number(b.suffix(2)) else { return false }
        return isDay(year: year, month: month, day: day)
    }

    private static func isDate(_ b: ArraySlice<UInt8>) -> Bool {
        let s = b.startIndex
        guard b.count == 10, b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"),
              let year = number(b[s..<s + 4]), let month = number(b[s + 5..<s + 7]), let day = number(b[s + 8..<s + 10])
        else { return false }
        return isDay(year: year, month: month, day: day)
    }

    private static func isDay(year: Int, month: Int, day: Int) -> Bool {
        guard years.contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(d - UInt8(ascii: "0"))
        }
        return value
    }
}
