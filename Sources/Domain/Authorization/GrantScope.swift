/// What a grant opens to its channel: the invoices it names, or every invoice of the person's digital account.
public enum GrantScope: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case namedInvoices = 1
    case allInvoices = 2

    public var description: String { self == .namedInvoices ? "named invoices" : "all invoices" }
}
