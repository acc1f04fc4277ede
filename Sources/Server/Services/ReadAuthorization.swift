import YibaoDomain
import YibaoLedger

/// Who may read a record, decided before it is served: the permission matrix against the record's owner and
/// region; a channel reads an invoice only under a live grant (docs/requirements.md: 出域必授权).
extension ServiceContext {
    /// The invoice, after checking the optional check code and that the caller may read it.
    /// A channel is asked for its grant before the invoice is looked up, so it learns nothing about others.
    func readableInvoice(_ key: InvoiceKey, checkCode: String, operation: DomainOperation = .readInvoice) async throws -> LedgerInvoice {
        let (_, caller) = try caller()
        var grantHolders: Set<String> = []
        if caller.role == .channel {
            do {
                _ = try service.authorizeChannelRead(channel: caller.org, invoice: key, at: clock())
            } catch let refusal as LedgerError where refusal.code == .permissionDenied {
                try await recordAudit(caller, .refusedRead, action: operation.rawValue, subject: "invoice \(key)",
                                      outcome: "PERMISSION_DENIED: \(refusal.message)")
                throw refusal
            }
            grantHolders.insert(caller.org)
        }
        guard let invoice = try service.invoice(key) else {
            throw LedgerError(.notFound, "invoice \(key) does not exist")
        }
        if !checkCode.isEmpty, checkCode != invoice.state.checkCode {
            throw LedgerError(.invalidArgument, field: "check_code", "does not match invoice \(key)")
        }
        var ownership = RecordOwnership.of(invoice.invoice)
        ownership.grantHolders = grantHolders
        try await authorize(caller, operation, ownership, subject: "invoice \(key)", underGrant: !grantHolders.isEmpty)
        return invoice
    }

    func readableSettlement(_ setlId: String, operation: DomainOperation = .readSettlement) async throws -> LedgerSettlement {
        let (_, caller) = try caller()
        guard let settlement = try service.settlement(setlId) else {
            throw LedgerError(.notFound, "settlement \(setlId) does not exist")
        }
        try await authorize(caller, operation, .ofSettlement(fixmedinsCode: settlement.settlement.fixmedinsCode),
                      subject: "settlement \(setlId)")
        return settlement
    }

    /// Person-level lists (accounts, grants, usage) have no owning org: the matrix's read of an unowned invoice
    /// admits the invoice platform, bureaus, auditors and regulators, and refuses hospitals, banks and channels.
    func authorizePersonRead(subject: String) async throws {
        let (_, caller) = try caller()
        try await authorize(caller, .readInvoice, .none, subject: subject)
    }

    /// A person as audit subjects name them: the keyed digest, never the ID number.
    func personSubject(certno: String) -> String { "person \(service.personKey(certno: certno))" }
}
