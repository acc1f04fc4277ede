import YibaoCrypto
import YibaoLedger

/// One invoice or settlement record as submitted: the payload decoded according to its entry kind. Admission and
/// the writer decode through this one function, so what was admitted is exactly what is applied.
enum InvoiceSettlementRecord: Sendable {
    case issue(Invoice)
    case reverse(red: Invoice)
    case exchangePaper(PaperExchange)
    case statusChange(InvoiceStatusChange)
    case link(InvoiceSettlementLink)
    case upload(Settlement)
    case revokeSettlement(SettlementRevocation)

    /// Decodes and checks the shape the kind demands; every refusal is `invalidArgument` naming `records[position]`.
    init(kind: UInt16, payload: [UInt8], position: Int) throws(LedgerError) {
        // The path only goes into a refusal, so it is built only for one.
        var at: String { "records[\(position)]" }
        func decode<T>(_ body: () throws(FormatError) -> T) throws(LedgerError) -> T {
            try decodeRecordPayload(at: at, body)
        }
        switch kind {
        case EntryKind.invoiceIssued.rawValue:
            let invoice = try decode { () throws(FormatError) in try Invoice(decoding: payload) }
            guard invoice.colour == .blue else {
                throw LedgerError(.invalidArgument, field: "\(at).colour", "a RED invoice is submitted as \(EntryKind.invoiceReversed.name)")
            }
            self = .issue(invoice)
        case EntryKind.invoiceReversed.rawValue:
            let invoice = try decode { () throws(FormatError) in try Invoice(decoding: payload) }
            guard invoice.colour == .red else {
                throw LedgerError(.invalidArgument, field: "\(at).colour", "a BLUE invoice is submitted as \(EntryKind.invoiceIssued.name)")
            }
            self = .reverse(red: invoice)
        case EntryKind.invoicePaperExchanged.rawValue:
            self = .exchangePaper(try decode { () throws(FormatError) in try PaperExchange(decoding: payload) })
        case EntryKind.invoiceLocked.rawValue, EntryKind.invoiceUnlocked.rawValue, EntryKind.invoiceEntered.rawValue,
             EntryKind.invoiceEntryRevoked.rawValue:
            let change = try decode { () throws(FormatError) in try InvoiceStatusChange(decoding: payload) }
            let expected = EntryKind.recording(change.action)
            guard expected.rawValue == kind else {
                throw LedgerError(.invalidArgument, field: "\(at).action", "\(change.action) is recorded as \(expected.name), not as kind \(kind)")
            }
            self = .statusChange(change)
        case EntryKind.invoiceSettlementLinked.rawValue:
            self = .link(try decode { () throws(FormatError) in try InvoiceSettlementLink(decoding: payload) })
        case EntryKind.settlementUploaded.rawValue:
            self = .upload(try decode { () throws(FormatError) in try Settlement(decoding: payload) })
        case EntryKind.settlementRevoked.rawValue:
            self = .revokeSettlement(try decode { () throws(FormatError) in try SettlementRevocation(decoding: payload) })
        default:
            throw LedgerError(.invalidArgument, field: "\(at).kind", "\(kind) is not an invoice or settlement kind")
        }
    }

    /// The field rules of the record (docs/requirements.md, Invoices), first problem only.
    func validate(at prefix: String) throws(LedgerError) {
        switch self {
        case .issue(let invoice), .reverse(let invoice): try invoice.validate(at: prefix)
        case .exchangePaper(let exchange): try exchange.validate(at: prefix)
        case .statusChange(let change): try change.validate(at: prefix)
        case .link(let link): try link.validate(at: prefix)
        case .upload(let settlement): try settlement.validate(at: prefix)
        case .revokeSettlement(let revocation): try revocation.validate(at: prefix)
        }
    }

    /// What the permission matrix is asked.
    var operation: DomainOperation {
        switch self {
        case .issue: .issueInvoice
        case .reverse: .reverseInvoice
        case .exchangePaper: .exchangePaper
        case .statusChange(let change):
            switch change.action {
            case .lock: .lockInvoice
            case .unlock: .unlockInvoice
            case .recordEntry: .recordInvoiceEntry
            case .revokeEntry: .revokeInvoiceEntry
            }
        case .link: .linkInvoiceSettlement
        case .upload: .uploadSettlement
        case .revokeSettlement: .revokeSettlement
        }
    }
}
