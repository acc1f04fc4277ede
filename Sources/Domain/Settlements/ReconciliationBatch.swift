/// The batch form of 票实核对 (an institution over a date range): the ledger integration walks the records and
/// feeds them in; this keeps exact counts and lists what needs a person's attention, each list bounded so that a
/// bad month cannot grow an answer without limit (`truncated` says something was left out).
public struct ReconciliationBatch: Hashable, Sendable {
    public static let defaultListLimit = 10_000
    /// The most a caller may ask for per list: each listed item is a message in one reply, and 10,000 per list
    /// (four lists) keeps a reply within a few MB, under the transport's message limit.
    public static let maxListLimit = 10_000

    public let listLimit: Int
    /// Linked pairs compared, and how many of them agreed in every field with a live settlement.
    public private(set) var compared = 0
    public private(set) var consistent = 0
    public private(set) var mismatchedCount = 0
    public private(set) var revokedLinkCount = 0
    public private(set) var invoicesWithoutSettlementCount = 0
    public private(set) var settlementsWithoutInvoiceCount = 0
    /// 票结不符: pairs with at least one mismatching field.
    public private(set) var mismatched: [ReconciliationReport] = []
    /// Invoices linked to a revoked settlement.
    public private(set) var revokedLinks: [ReconciliationReport] = []
    public private(set) var invoicesWithoutSettlement: [InvoiceKey] = []
    public private(set) var settlementsWithoutInvoice: [String] = []
    public private(set) var truncated = false

    public init(listLimit: Int = ReconciliationBatch.defaultListLimit) {
        precondition(listLimit >= 0, "list limit must not be negative")
        self.listLimit = listLimit
    }

    public mutating func add(_ report: ReconciliationReport) {
        compared += 1
        if report.isConsistent { consistent += 1 }
        if !report.mismatches.isEmpty {
            mismatchedCount += 1
            if !Self.keep(report, in: &mismatched, limit: listLimit) { truncated = true }
        }
        if report.linkedToRevokedSettlement {
            revokedLinkCount += 1
            if !Self.keep(report, in: &revokedLinks, limit: listLimit) { truncated = true }
        }
    }

    /// A settlement-type invoice (it carries a setl_id, or is of a kind settled with insurance) with no settlement.
    public mutating func addInvoiceWithoutSettlement(_ key: InvoiceKey) {
        invoicesWithoutSettlementCount += 1
        if !Self.keep(key, in: &invoicesWithoutSettlement, limit: listLimit) { truncated = true }
    }

    public mutating func addSettlementWithoutInvoice(_ setlId: String) {
        settlementsWithoutInvoiceCount += 1
        if !Self.keep(setlId, in: &settlementsWithoutInvoice, limit: listLimit) { truncated = true }
    }

    /// Appends while the list is under its limit; false if the value had to be left out.
    private static func keep<T>(_ value: T, in list: inout [T], limit: Int) -> Bool {
        guard list.count < limit else { return false }
        list.append(value)
        return true
    }
}
