import YibaoCrypto

/// The ledger entry kinds of the invoice and settlement domain (numbers from 100 up, never reused), each with the
/// payload type it carries. The ledger configuration must list them in `submittableKinds`.
extension EntryKind {
    public static let invoiceIssued = EntryKind(100, "invoice_issued")                    // Invoice (blue)
    public static let invoiceReversed = EntryKind(101, "invoice_reversed")                // Invoice (red)
    public static let invoicePaperExchanged = EntryKind(102, "invoice_paper_exchanged")  // PaperExchange
    public static let invoiceLocked = EntryKind(103, "invoice_locked")                    // InvoiceStatusChange
    public static let invoiceUnlocked = EntryKind(104, "invoice_unlocked")                // InvoiceStatusChange
    public static let invoiceEntered = EntryKind(105, "invoice_entered")                  // InvoiceStatusChange
    public static let invoiceEntryRevoked = EntryKind(106, "invoice_entry_revoked")       // InvoiceStatusChange
    public static let invoiceSettlementLinked = EntryKind(107, "invoice_settlement_linked") // InvoiceSettlementLink
    public static let settlementUploaded = EntryKind(110, "settlement_uploaded")          // Settlement
    public static let settlementRevoked = EntryKind(111, "settlement_revoked")            // SettlementRevocation

    public static let invoiceAndSettlementKinds: [EntryKind] = [
        .invoiceIssued, .invoiceReversed, .invoicePaperExchanged, .invoiceLocked, .invoiceUnlocked, .invoiceEntered,
        .invoiceEntryRevoked, .invoiceSettlementLinked, .settlementUploaded, .settlementRevoked,
    ]

    /// The entry kind that records `action`.
    public static func recording(_ action: InvoiceAction) -> EntryKind {
        switch action {
        case .lock: .invoiceLocked
        case .unlock: .invoiceUnlocked
        case .recordEntry: .invoiceEntered
        case .revokeEntry: .invoiceEntryRevoked
        }
    }
}
