/// An invoice as the ledger holds it: the current state (status, paper flag, locking and entering orgs, reversal,
/// linked settlement), the invoice as issued, and the index of the entry that issued it.
public struct LedgerInvoice: Hashable, Sendable {
    public let state: InvoiceState
    public let invoice: Invoice
    public let issueIndex: UInt64
    /// The settlement the invoice is linked to once both are on the ledger, read in the same snapshot as the rest.
    public let linkedSetlId: String?
}

/// A settlement as the ledger holds it: the current state, the settlement as uploaded, and the upload's index.
public struct LedgerSettlement: Hashable, Sendable {
    public let state: SettlementState
    public let settlement: Settlement
    public let uploadIndex: UInt64
}
