/// A BLUE invoice records a charge; a RED invoice (红票) reverses exactly one blue invoice with negative amounts.
public enum InvoiceColour: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case blue = 1
    case red = 2

    public var description: String { self == .blue ? "BLUE" : "RED" }
}
