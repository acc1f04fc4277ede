import Testing
@testable import YibaoDomain

/// GB 11643-1999 check characters: known-valid numbers (check characters computed by hand from the weights),
/// every single-digit corruption, adjacent transpositions, and each refusal message.
@Suite struct ResidentIDNumberTests {
    static let valid = [
        "11010519491231002X",  // the standard's own example
        "460106199001011239",
        "460000200002290016",  // born on a leap day
        "440524198001010013",
        "320102197211203014",
        "460106202312319999",
    ]

    @Test(arguments: valid) func validNumbersPass(_ number: String) {
        #expect(ResidentIDNumber.problem(number) == nil)
        #expect(ResidentIDNumber.checkCharacter(forFirst17: String(number.prefix(17))) == number.last)
    }

    @Test(arguments: valid) func everySingleDigitCorruptionIsCaught(_ number: String) {
        let digits = Array(number.utf8)
        for position in 0..<17 {
            for delta in 1...9 {
                var corrupted = digits
                corrupted[position] = UInt8(ascii: "0") + (digits[position] - UInt8(ascii: "0") + UInt8(delta)) % 10
                #expect(ResidentIDNumber.problem(String(decoding: corrupted, as: UTF8.self)) != nil,
                        "position \(position) delta \(delta) of \(number)")
            }
        }
    }

    @Test(arguments: valid) func adjacentTranspositionsAreCaught(_ number: String) {
        let digits = Array(number.utf8)
        for position in 0..<16 where digits[position] != digits[position + 1] {
            var swapped = digits
            swapped.swapAt(position, position + 1)
            #expect(ResidentIDNumber.problem(String(decoding: swapped, as: UTF8.self)) != nil, "swap at \(position) of \(number)")
        }
    }

    @Test func refusalMessages() {
        #expect(ResidentIDNumber.problem("11010519491231002") == "must be 18 characters for a resident ID card (psn_cert_type 01), got 17")
        #expect(ResidentIDNumber.problem("1101051949123100XX") == "characters 1 to 17 must be digits for a resident ID card")
        #expect(ResidentIDNumber.problem("110105194902300021") == "characters 7 to 14 must be a valid birth date yyyyMMdd")
        #expect(ResidentIDNumber.problem("110105194912310021") == "check character (GB 11643-1999) must be 'X', got '1'")
        #expect(ResidentIDNumber.problem("11010519491231002x") == "check character (GB 11643-1999) must be 'X', got 'x'")
        #expect(ResidentIDNumber.checkCharacter(forFirst17: "1101051949123100") == nil)
        #expect(ResidentIDNumber.checkCharacter(forFirst17: "1101051949123100A") == nil)
    }
}
