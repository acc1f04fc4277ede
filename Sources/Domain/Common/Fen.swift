/// Money is integer fen (分) everywhere: the national `num(16,2)` yuan values map to fen exactly, and integer sums
/// never round. Never floating point.
public typealias Fen = Int64

public enum FenLimits {
    /// `num(16,2)`: at most 14 integer digits of yuan, so |amount| ≤ 99 999 999 999 999.99 yuan.
    /// Bounding every amount first keeps every sum the rules compute far from Int64 overflow.
    public static let maxMagnitude: Fen = 9_999_999_999_999_999
}
