import YibaoLedger
/// The rules of a red invoice that need the ledger's state: it must name an existing BLUE invoice, come from the
/// same issuer, and mirror it exactly (every amount negated, same kind), because a red invoice reverses the whole
/// blue one. Whether the blue one may be reversed now (not LOCKED, ENTERED or REVERSED) is the lifecycle's
/// rule: `InvoiceState.apply(.reverse(by:))`, run right after this.
public enum RedInvoiceRule {
    /// `blue` and `blueState` are what the ledger holds under the red invoice's related key (nil if nothing).
    public static func check(_ red: Invoice, at prefix: String = "", blue: Invoice?, blueState: InvoiceState?) throws(LedgerError) {
        let check = FieldChecker(prefix: prefix)
        guard let relatedKey = red.relatedKey else {
            throw LedgerError(.invalidArgument, field: check.path("related_invoice_code"), "invoice \(red.key) is BLUE and reverses nothing")
        }
        guard let blue, let blueState, blue.key == relatedKey, blueState.key == relatedKey else {
            throw LedgerError(.notFound, field: check.path("related_invoice_number"), "invoice \(relatedKey) does not exist")
        }
        guard blue.colour == .blue, blueState.colour == .blue else {
            throw LedgerError(.failedPrecondition, "invoice \(relatedKey) is \(blueState.summary); only a BLUE invoice can be reversed")
        }
        guard red.invoicingPartyCode == blue.invoicingPartyCode else {
            throw LedgerError(.invalidArgument,
                              "\(check.path("invoicing_party_code")): must be the blue invoice's issuer \(blue.invoicingPartyCode), got \(FieldChecker.quoted(red.invoicingPartyCode))")
        }
        guard red.invoiceKind == blue.invoiceKind else {
            throw LedgerError(.invalidArgument,
                              "\(check.path("invoice_kind")): must be the blue invoice's \(blue.invoiceKind), got \(red.invoiceKind)")
        }
        let mirrored: [(String, Fen, Fen)] = [
            ("total_amount", red.totalAmount, blue.totalAmount), ("fund_pay_amount", red.fundPayAmount, blue.fundPayAmount),
            ("account_pay_amount", red.accountPayAmount, blue.accountPayAmount),
            ("own_pay_amount", red.ownPayAmount, blue.ownPayAmount), ("self_pay_amount", red.selfPayAmount, blue.selfPayAmount),
            ("other_pay_amount", red.otherPayAmount, blue.otherPayAmount),
        ]
        for (field, redAmount, blueAmount) in mirrored where redAmount != -blueAmount {
            throw LedgerError(.invalidArgument,
                              "\(check.path(field)): must mirror blue invoice \(relatedKey)'s \(blueAmount) fen as \(-blueAmount) fen, got \(redAmount) fen")
        }
    }
}
