/// One compared pair that disagrees, with both values as found (amounts exact, in fen).
public struct FieldMismatch: Hashable, Sendable, CustomStringConvertible {
    public let field: ReconciledField
    public let settlementValue: String
    public let invoiceValue: String

    public init(field: ReconciledField, settlementValue: String, invoiceValue: String) {
        self.field = field
        self.settlementValue = settlementValue
        self.invoiceValue = invoiceValue
    }

    public init(field: ReconciledField, settlementFen: Fen, invoiceFen: Fen) {
        self.init(field: field, settlementValue: "\(settlementFen) fen", invoiceValue: "\(invoiceFen) fen")
    }

    /// "medfee_sumamt vs total_amount: settlement 12345 fen, invoice 12346 fen"
    public var description: String { "\(field.rawValue): settlement \(settlementValue), invoice \(invoiceValue)" }
}
