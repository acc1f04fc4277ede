/// A charge item's quantity: decimal, but never floating point, so that equal values encode to equal bytes.
/// Fixed point with four decimal places (the finest the finance bureau's item quantities use).
public struct ItemQuantity: Hashable, Sendable, CustomStringConvertible {
    public static let scale: Int64 = 10_000
    /// Quantity × 10 000: 1.5 tablets is 15 000.
    public var tenThousandths: Int64

    public init(tenThousandths: Int64) { self.tenThousandths = tenThousandths }
    public init(whole: Int64) { self.tenThousandths = whole * ItemQuantity.scale }

    public var description: String {
        let magnitude = tenThousandths.magnitude
        let whole = magnitude / UInt64(ItemQuantity.scale)
        var fraction = String(magnitude % UInt64(ItemQuantity.scale))
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = tenThousandths < 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
