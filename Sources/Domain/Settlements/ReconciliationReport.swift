/// The outcome of reconciling one invoice with the settlement it is linked to.
public struct ReconciliationReport: Hashable, Sendable {
    public let invoiceKey: InvoiceKey
    public let setlId: String
    /// Every compared pair that disagrees, in `ReconciledField` order.
    public let mismatches: [FieldMismatch]
    /// The settlement was revoked (2208/2305) yet an invoice still points at it.
    public let linkedToRevokedSettlement: Bool

    public var isConsistent: Bool { mismatches.isEmpty && !linkedToRevokedSettlement }
}
