/// A request to move an invoice through its lifecycle. Every command after issue names the invoice with its check
/// code; reverse is named by the red invoice itself (its related_invoice_* fields carry no check code).
public enum InvoiceCommand: Hashable, Sendable {
    case issue(Invoice)
    /// Reverse the blue invoice the red one names (冲红).
    case reverse(by: Invoice)
    case exchangePaper(InvoiceReference)
    case lock(InvoiceReference)
    case unlock(InvoiceReference)
    case recordEntry(InvoiceReference)
    case revokeEntry(InvoiceReference)
    case linkSettlement(InvoiceReference, setlId: String)

    /// The invoice the command changes.
    public var target: InvoiceKey {
        switch self {
        case .issue(let invoice): invoice.key
        case .reverse(let red): red.relatedKey ?? InvoiceKey(invoiceCode: red.relatedInvoiceCode, invoiceNumber: red.relatedInvoiceNumber)
        case .exchangePaper(let r), .lock(let r), .unlock(let r), .recordEntry(let r), .revokeEntry(let r),
             .linkSettlement(let r, _): r.key
        }
    }

    /// The check code the command presents, if it names the invoice by reference.
    public var presentedCheckCode: String? {
        switch self {
        case .issue, .reverse: nil
        case .exchangePaper(let r), .lock(let r), .unlock(let r), .recordEntry(let r), .revokeEntry(let r),
             .linkSettlement(let r, _): r.checkCode
        }
    }

    /// The verb refusal messages use: "cannot lock".
    public var verb: String {
        switch self {
        case .issue: "issue"
        case .reverse: "reverse"
        case .exchangePaper: "exchange paper"
        case .lock: "lock"
        case .unlock: "unlock"
        case .recordEntry: "record entry"
        case .revokeEntry: "revoke entry"
        case .linkSettlement: "link a settlement"
        }
    }
}
