/// 公民身份号码 per GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence, 1 check character.
/// The check character is ISO 7064 MOD 11-2: Σ(digit × weight) mod 11 indexes "10X98765432".
public enum ResidentIDNumber {
    public static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    public static let checkCharacters = Array("10X98765432".utf8)

    /// The check character for the first 17 digits, or nil if they are not 17 ASCII digits.
    public static func checkCharacter(forFirst17 digits: String) -> Character? {
        let b = Array(digits.utf8)
        guard b.count == 17, b.allSatisfy(isDigit) else { return nil }
        var sum = 0
        for (d, w) in zip(b, weights) { sum += Int(d - UInt8(ascii: "0")) * w }
        return Character(Unicode.Scalar(checkCharacters[sum % 11]))
    }

    /// Why `value` is not a valid number, or nil if it is. Never quotes the number: it is PII.
    public static func problem(_ value: String) -> String? {
        let b = Array(value.utf8)
        guard b.count == DomainLimits.residentIDLength else {
            return "must be 18 characters for a resident ID card (psn_cert_type 01), got \(b.count)"
        }
        guard b.prefix(17).allSatisfy(isDigit) else {
            return "characters 1 to 17 must be digits for a resident ID card"
        }
        guard BusinessTime.isCompactDate(b[6..<14]) else {
            return "characters 7 to 14 must be a valid birth date yyyyMMdd"
        }
        let expected = checkCharacter(forFirst17: String(decoding: b.prefix(17), as: UTF8.self))!
        let actual = Character(Unicode.Scalar(b[17]))
        guard actual == expected else {
            return "check character (GB 11643-1999) must be '\(expected)', got '\(actual)'"
        }
        return nil
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
