import YibaoCrypto
import YibaoLedger

/// One record applied to the stored state, in the writer's transaction. Each operation decides everything first
/// and writes last, so a refusal (a thrown `LedgerError`) leaves the state untouched.
///
/// Order of refusals for a record naming an existing invoice or settlement: `notFound` and a wrong check code (or
/// a revocation naming the wrong visit) first, so a caller without the record's details learns nothing about it;
/// then the permission matrix on the record's owner and region; then the lifecycle (`failedPrecondition` with
/// the current state).
struct InvoiceSettlementTransition {
    let store: InvoiceSettlementStore
    let record: AppliedRecord
    /// The record's keyed hashes, content digest and caller, computed off the writer.
    let prepared: PreparedRecord

    private var caller: Caller { prepared.caller }

    private var org: String { record.org.code }
    private var index: UInt64 { record.index }
    private var path: String { "records[\(record.position)]" }

    // MARK: invoices

    func issue(_ invoice: Invoice) throws -> ApplyOutcome {
        let existing = try store.invoiceState(invoice.key)
        let next = try InvoiceLifecycle.apply(.issue(invoice), to: existing, by: org, issuedDigest: prepared.contentDigest)
        if existing != nil { return .alreadyRecorded(index: try issueIndex(invoice.key)) }
        let link = try plannedLink(for: invoice)
        try writeIssued(invoice, state: next, link: link)
        return .append
    }

    /// A red invoice: issued itself, and the blue one it names REVERSED, in one entry.
    func reverse(_ red: Invoice) throws -> ApplyOutcome {
        if let existing = try store.invoiceState(red.key) {
            _ = try InvoiceLifecycle.apply(.issue(red), to: existing, by: org, issuedDigest: prepared.contentDigest)  // alreadyExists unless identical
            return .alreadyRecorded(index: try issueIndex(red.key))
        }
        let blueKey = red.relatedKey ?? InvoiceKey(invoiceCode: red.relatedInvoiceCode, invoiceNumber: red.relatedInvoiceNumber)
        let blue = try store.invoiceRecord(blueKey)
        let blueState = try store.invoiceState(blueKey)
        try RedInvoiceRule.check(red, at: path, blue: blue?.invoice, blueState: blueState)
        let reversedBlue = try InvoiceLifecycle.apply(.reverse(by: red), to: blueState, by: org)
        let redState = try InvoiceLifecycle.apply(.issue(red), to: nil, by: org, issuedDigest: prepared.contentDigest)
        let link = try plannedLink(for: red)
        try writeIssued(red, state: redState, link: link)
        try store.putInvoice(reversedBlue)
        try store.addTrace(invoice: blueKey, index: index)
        return .append
    }

    /// Paper exchange, lock, unlock, record entry, revoke entry.
    func change(_ command: InvoiceCommand, _ operation: DomainOperation) throws -> ApplyOutcome {
        let (state, next) = try checkedInvoiceCommand(command, operation)
        guard next != state else { throw LedgerError(.internal, "\(command.verb) left invoice \(state.key) unchanged") }
        try store.putInvoice(next)
        try store.addTrace(invoice: next.key, index: index)
        return .append
    }

    /// An explicit link: the hospital's own invoice to its own live settlement.
    func link(_ link: InvoiceSettlementLink) throws -> ApplyOutcome {
        let (state, next) = try checkedInvoiceCommand(link.command, .linkInvoiceSettlement) { () throws in
            guard let settlement = try store.settlementState(link.setlId) else {
                throw LedgerError(.notFound, "settlement \(link.setlId) does not exist; cannot link invoice \(link.reference.key)")
            }
            _ = try PermissionMatrix.authorize(caller, .linkInvoiceSettlement, .ofSettlement(fixmedinsCode: settlement.fixmedinsCode))
            guard settlement.status == .uploaded else {
                throw LedgerError(.failedPrecondition,
                                  "settlement \(link.setlId) is \(settlement.summary); cannot link invoice \(link.reference.key)")
            }
        }
        if next == state, let existing = try store.invoiceLink(state.key) {
            return .alreadyRecorded(index: existing.index)
        }
        try checkRoom(on: link.setlId)
        try store.putInvoice(next)
        try store.putLink(next.key, setlId: link.setlId, index: index)
        try store.addTrace(invoice: next.key, index: index)
        try store.addTrace(settlement: link.setlId, index: index)
        return .append
    }

    // MARK: settlements

    func upload(_ settlement: Settlement) throws -> ApplyOutcome {
        let existing = try store.settlementState(settlement.setlId)
        let next = try SettlementLifecycle.apply(.upload(settlement), to: existing, by: org, uploadedDigest: prepared.contentDigest)
        if existing != nil {
            guard let index = try store.settlementRecordIndex(settlement.setlId) else {
                throw LedgerError(.dataLoss, "state: settlement \(settlement.setlId) has a state but no record")
            }
            return .alreadyRecorded(index: index)
        }
        // Invoices that named this settlement before it arrived: this entry completes their links.
        let waiting = try store.pendingInvoices(of: settlement.setlId, limit: InvoiceSettlementRules.maxInvoicesPerSettlement)
        try store.putSettlement(next)
        try store.putSettlementRecord(settlement.setlId, index: index)
        try store.addPerson(prepared.person, .settlement, record: InvoiceSettlementStateKeys.settlement(settlement.setlId))
        try store.addTrace(settlement: settlement.setlId, index: index)
        try store.addInstitutionDay(settlement.fixmedinsCode, day: BusinessTime.day(of: settlement.setlTime), .settlement,
                                    record: InvoiceSettlementStateKeys.settlement(settlement.setlId))
        for key in waiting {
            try store.putLink(key, setlId: settlement.setlId, index: index)
            try store.addTrace(invoice: key, index: index)
        }
        return .append
    }

    func revoke(_ revocation: SettlementRevocation) throws -> ApplyOutcome {
        let state = try store.settlementState(revocation.setlId)
        let outcome = Result { () throws(LedgerError) in try SettlementLifecycle.apply(.revoke(revocation), to: state, by: org) }
        if case .failure(let refusal) = outcome, refusal.code != .failedPrecondition { throw named(refusal) }
        guard let state else { throw LedgerError(.internal, "revocation of a missing settlement passed the lifecycle") }
        _ = try PermissionMatrix.authorize(caller, .revokeSettlement, .ofSettlement(fixmedinsCode: state.fixmedinsCode))
        let next = try outcome.get()
        try store.putSettlement(next)
        try store.addTrace(settlement: next.setlId, index: index)
        return .append
    }

    // MARK: shared steps

    /// The lifecycles compare a few presented fields with the stored record (check code, visit, person) and name
    /// them relative to the record (`check_code`); the record's path goes in front, as admission's refusals have
    /// it, so the caller sees the field of its own request (`invoice.check_code`).
    private func named(_ refusal: LedgerError) -> LedgerError {
        guard let field = refusal.field else { return refusal }
        return LedgerError(refusal.code, field: "\(path).\(field.path)", field.rule)
    }

    /// The invoice's current state and the state `command` leads to, after the refusals in their order;
    /// `more` adds checks between the permission and the lifecycle (a link's settlement).
    private func checkedInvoiceCommand(_ command: InvoiceCommand, _ operation: DomainOperation,
                                       more: () throws -> Void = {}) throws -> (InvoiceState, InvoiceState) {
        let state = try store.invoiceState(command.target)
        let outcome = Result { () throws(LedgerError) in try InvoiceLifecycle.apply(command, to: state, by: org) }
        if case .failure(let refusal) = outcome, refusal.code != .failedPrecondition { throw named(refusal) }
        guard let state else {
            throw LedgerError(.internal, "\(command.verb) of a missing invoice \(command.target) passed the lifecycle")
        }
        _ = try PermissionMatrix.authorize(caller, operation, try owner(of: state))
        try more()
        return (state, try outcome.get())
    }

    private enum PlannedLink {
        case none
        /// The settlement is here: this entry links them.
        case complete(String)
        /// Not yet: its upload will.
        case pending(String)
    }

    private func plannedLink(for invoice: Invoice) throws -> PlannedLink {
        guard !invoice.setlId.isEmpty else { return .none }
        let settled = try store.settlementState(invoice.setlId) != nil
        try checkRoom(on: invoice.setlId, settlementExists: settled)
        return settled ? .complete(invoice.setlId) : .pending(invoice.setlId)
    }

    /// `settlementExists` false spares the scan of its links: a link is made only to a settlement on the ledger, and
    /// a settlement, once uploaded, keeps its state (a revocation changes its status), so without one there are none.
    private func checkRoom(on setlId: String, settlementExists: Bool = true) throws {
        let limit = InvoiceSettlementRules.maxInvoicesPerSettlement
        let linked = settlementExists ? try store.linkedInvoices(of: setlId, limit: limit).count : 0
        let named = linked + (try store.pendingInvoices(of: setlId, limit: limit).count)
        guard named < limit else {
            throw LedgerError(.failedPrecondition, "settlement \(setlId) is already named by \(named) invoices; the limit is \(limit)")
        }
    }

    private func writeIssued(_ invoice: Invoice, state: InvoiceState, link: PlannedLink) throws {
        let key = InvoiceSettlementStateKeys.invoice(invoice.key)
        try store.putInvoice(state)
        try store.putInvoiceRecord(invoice.key, index: index)
        try store.addPerson(prepared.person, .invoice, record: key)
        try store.addTrace(invoice: invoice.key, index: index)
        try store.addInstitutionDay(invoice.invoicingPartyCode, day: BusinessTime.day(of: invoice.medicalDate), .invoice, record: key)
        switch link {
        case .none: break
        case .complete(let setlId):
            try store.putLink(invoice.key, setlId: setlId, index: index)
            try store.addTrace(settlement: setlId, index: index)
        case .pending(let setlId):
            try store.putPendingLink(invoice.key, setlId: setlId)
        }
    }

    /// Whose invoice it is: from its state, or from the sealed record for a state written before it was kept.
    private func owner(of state: InvoiceState) throws -> RecordOwnership {
        if !state.invoicingParty.isEmpty { return .ofInvoice(invoicingPartyCode: state.invoicingParty) }
        guard let issued = try store.invoiceRecord(state.key) else {
            throw LedgerError(.dataLoss, "state: invoice \(state.key) has a state but no record")
        }
        return .of(issued.invoice)
    }

    private func issueIndex(_ key: InvoiceKey) throws -> UInt64 {
        guard let index = try store.invoiceRecordIndex(key) else {
            throw LedgerError(.dataLoss, "state: invoice \(key) has a state but no record")
        }
        return index
    }
}
