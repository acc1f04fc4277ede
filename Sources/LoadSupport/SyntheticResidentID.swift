/// Valid 18-character resident ID numbers (GB 11643-1999): address code, birth date, sequence, and the ISO 7064
/// MOD 11-2 check character, so the node's check accepts them; `breakingCheck` makes the check fail on purpose.
public enum SyntheticResidentID {
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters = Array("10X98765432")
    static let regions = ["460106", "460105", "460107", "460108", "469001", "460200", "110105", "440305"]

    public static func make(_ random: inout SplitMix64) -> String {
        let year = 1940 + Int(random.next() % 70), month = 1 + Int(random.next() % 12), day = 1 + Int(random.next() % 28)
        let body = regions[Int(random.next() % UInt64(regions.count))] + String(year) + Digits.padded(month, 2)
            + Digits.padded(day, 2) + Digits.padded(Int(random.next() % 1000), 3)
        return body + String(checkCharacter(body))
    }

    public static func checkCharacter(_ first17: String) -> Character {
        let sum = zip(first17.utf8, weights).reduce(0) { $0 + Int($1.0 - UInt8(ascii: "0")) * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// The same number with a check character that does not match.
    public static func breakingCheck(_ valid: String) -> String {
        let body = String(valid.prefix(17))
        let right = checkCharacter(body)
        let index = checkCharacters.firstIndex(of: right)!
        return body + String(checkCharacters[(index + 1) % checkCharacters.count])
    }
}

/// Zero-padded decimals for fixed-width codes.
public enum Digits {
    public static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
