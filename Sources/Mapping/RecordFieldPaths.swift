/// Where a submitted record's fields sit in the request that carried it. The domain names a record by its position
/// in the batch the node submits (`records[0].invoice_code`), a batch the caller never saw; a refusal's field
/// (`LedgerError.field`, a value the rule set set, not read back out of its message) is renamed to the request's own
/// path before it leaves (`invoices[3].invoice_code`, `red_invoice.related_invoice_code`, `invoice.check_code`,
/// `remark`).
package struct RecordFieldPaths: Sendable {
    /// The request path of the message the record was built from (`invoices[3]`, `red_invoice`), "" when the
    /// record's fields are the request's own.
    package let root: String
    /// Record fields the request carries in a nested message, by the domain's field name: `invoice_code` → `invoice`.
    package let nested: [String: String]

    package init(root: String = "", nested: [String: String] = [:]) {
        self.root = root
        self.nested = nested
    }

    /// Fields the node sets itself when it builds the record (entry kind, encoded payload, colour, action): a
    /// refusal of one of them is about the record as a whole, which the request names as `root`.
    package static let recordLevelFields: Set<Substring> = ["kind", "payload", "colour", "action"]

    // MARK: the single-record RPCs

    /// ReverseInvoice: every field is one of `red_invoice`'s.
    package static let redInvoice = RecordFieldPaths(root: "red_invoice")
    /// LockInvoice, UnlockInvoice, RecordEntry, RevokeEntry, ExchangePaper, LinkInvoice: the invoice named by an
    /// `InvoiceReference invoice`, the other fields the request's own.
    package static let invoiceReference = RecordFieldPaths(nested: ["invoice_code": "invoice", "invoice_number": "invoice",
                                                            "check_code": "invoice"])
    /// RecordUsage: the invoice as an `InvoiceKey invoice`, the other fields the request's own.
    package static let invoiceKey = RecordFieldPaths(nested: ["invoice_code": "invoice", "invoice_number": "invoice"])
    /// RevokeSettlement, GrantAccess, RevokeAccess: every field is the request's own.
    package static let requestFields = RecordFieldPaths()

    /// One item of a repeated request field: `invoices[3]`.
    package static func item(_ field: String, _ position: Int) -> RecordFieldPaths {
        RecordFieldPaths(root: "\(field)[\(position)]")
    }

    /// How a message names the record as a whole: its request path, or the request itself.
    package var recordName: String { root.isEmpty ? "request" : root }

    /// `message` (a field path, or text that starts with one) with its leading `record` path (`records[0]`) renamed
    /// to the request's; anything else as it is.
    package func rename(_ message: String, record: String) -> String {
        guard message.hasPrefix(record) else { return message }
        let rest = message.dropFirst(record.count)
        guard let next = rest.first else { return recordName }
        guard next == "." else {
            // `records[10]` is not `records[1]`; a message about the record itself keeps its wording.
            return next == ":" || next == " " ? recordName + rest : message
        }
        let path = rest.dropFirst()
        let field = path.prefix { $0 != "." && $0 != "[" && $0 != ":" && $0 != " " }
        if Self.recordLevelFields.contains(field) { return recordName + path.dropFirst(field.count) }
        if let prefix = nested[String(field)] { return FieldPath.join(prefix, String(path)) }
        return FieldPath.join(root, String(path))
    }
}
