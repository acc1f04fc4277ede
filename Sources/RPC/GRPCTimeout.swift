/// `grpc-timeout`: at most 8 ASCII digits followed by one unit (H M S m u n), per PROTOCOL-HTTP2.md.
enum GRPCTimeout {
    /// Longest timeout we honour; anything above it is clamped so deadline arithmetic cannot overflow.
    static let maxNanoseconds: Int64 = 100 * 24 * 3600 * 1_000_000_000

    /// Returns the timeout in nanoseconds, or nil when the header is malformed.
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 9 else { return nil }
        var amount: Int64 = 0
        for digit in bytes.dropLast() {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            amount = amount * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        let nanosecondsPerUnit: Int64
        switch bytes.last! {
        case UInt8(ascii: "H"): nanosecondsPerUnit = 3600 * 1_000_000_000
        case UInt8(ascii: "M"): nanosecondsPerUnit = 60 * 1_000_000_000
        case UInt8(ascii: "S"): nanosecondsPerUnit = 1_000_000_000
        case UInt8(ascii: "m"): nanosecondsPerUnit = 1_000_000
        case UInt8(ascii: "u"): nanosecondsPerUnit = 1_000
        case UInt8(ascii: "n"): nanosecondsPerUnit = 1
        default: return nil
        }
        // 8 digits times an hour in nanoseconds overflows Int64, so clamp before multiplying.
        if amount > maxNanoseconds / nanosecondsPerUnit { return maxNanoseconds }
        return amount * nanosecondsPerUnit
    }
}
