/// Where an invoice stands in its lifecycle (docs/requirements.md, Lifecycles). Paper exchange is a flag beside it, not a status.
public enum InvoiceStatus: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case issued = 1
    case locked = 2
    case entered = 3
    /// Terminal: a red invoice reversed it.
    case reversed = 4

    public var description: String {
        switch self {
        case .issued: "ISSUED"
        case .locked: "LOCKED"
        case .entered: "ENTERED"
        case .reversed: "REVERSED"
        }
    }
}
