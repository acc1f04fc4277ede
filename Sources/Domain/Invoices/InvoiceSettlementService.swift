import YibaoCrypto
import YibaoLedger

/// The Swift API a front end calls for invoices and settlements: it submits batches the caller has signed (build
/// their records with `InvoiceSettlementRecords`) and reads the current state, links, traces and reconciliation
/// from one consistent snapshot each. Reads are not authorized here: the front end asks `PermissionMatrix` (and
/// records PII reads) before calling them, with `RecordOwnership.of(invoice)` / `.ofSettlement(fixmedinsCode:)`.
public final class InvoiceSettlementService: Sendable {
    public let ledger: Ledger
    /// The most indexes one trace call returns; page on with `after:`.
    public static let maxTracePage = 10_000

    /// Refuses a ledger not configured with `InvoiceSettlementRules`: its state databases would not exist.
    public init(ledger: Ledger) throws {
        guard ledger.keepsState(of: InvoiceSettlementRules()) else {
            throw LedgerError(.failedPrecondition, "the ledger is not configured with InvoiceSettlementRules")
        }
        self.ledger = ledger
    }

    /// A ledger configuration with the invoice and settlement rules plugged in.
    public static func configuration(_ base: LedgerConfiguration = LedgerConfiguration()) -> LedgerConfiguration {
        var configuration = base
        configuration.stateMachine = InvoiceSettlementRules()
        configuration.entryPrivacy = DomainPayloadPrivacy()
        return configuration
    }

    /// Submits a signed batch; each record lands (receipt) or fails alone (the rule's refusal).
    public func submit(_ batch: SignedBatch) async throws -> [RecordOutcome] {
        try await ledger.submit(batch)
    }

    // MARK: current state

    /// Current state + flags (是否冲红, 是否换开, 锁定方, 入账方) and the invoice as issued; nil if never issued.
    public func invoice(_ key: InvoiceKey) throws -> LedgerInvoice? {
        guard Self.fits(key) else { return nil }
        return try read { store in try Self.invoice(key, in: store) }
    }

    public func settlement(_ setlId: String) throws -> LedgerSettlement? {
        guard InvoiceSettlementStateKeys.fits(setlId) else { return nil }
        return try read { store in try Self.settlement(setlId, in: store) }
    }

    /// The settlement the invoice is linked to, once both are on the ledger.
    public func linkedSettlement(of key: InvoiceKey) throws -> String? {
        guard Self.fits(key) else { return nil }
        return try read { store in try store.invoiceLink(key)?.setlId }
    }

    /// Invoices linked to the settlement, in key order (at most `InvoiceSettlementRules.maxInvoicesPerSettlement`).
    public func linkedInvoices(of setlId: String) throws -> [InvoiceKey] {
        guard InvoiceSettlementStateKeys.fits(setlId) else { return [] }
        return try read { store in
            try store.linkedInvoices(of: setlId, limit: InvoiceSettlementRules.maxInvoicesPerSettlement).map(\.key)
        }
    }

    // MARK: trace (轨迹)

    /// Every entry that touched the invoice, in ledger order (issue, its reversal, exchange, locks, entries, the
    /// link): indexes after `after`, at most `limit`. Each proves with `ledger.inclusionProof(index:)`.
    public func trace(invoice key: InvoiceKey, after: UInt64? = nil, limit: Int = maxTracePage) throws -> [UInt64] {
        guard Self.fits(key) else { return [] }
        return try read { store in try Self.trace(.invoice, InvoiceSettlementStateKeys.invoice(key), after, limit, in: store) }
    }

    /// Every entry that touched the settlement: its upload, links, its revocation.
    public func trace(settlement setlId: String, after: UInt64? = nil, limit: Int = maxTracePage) throws -> [UInt64] {
        guard InvoiceSettlementStateKeys.fits(setlId) else { return [] }
        return try read { store in try Self.trace(.settlement, InvoiceSettlementStateKeys.settlement(setlId), after, limit, in: store) }
    }

    /// A trace page with its entries, from one snapshot: the indexes `trace(invoice:after:limit:)` gives and the
    /// entries they name, read in the same read transaction (not one per entry).
    public func traceEntries(invoice key: InvoiceKey, after: UInt64? = nil, limit: Int = maxTracePage) throws -> [StoredEntry] {
        guard Self.fits(key) else { return [] }
        return try read { store in
            try Self.entries(Self.trace(.invoice, InvoiceSettlementStateKeys.invoice(key), after, limit, in: store), in: store)
        }
    }

    /// `traceEntries(invoice:after:limit:)` for a settlement.
    public func traceEntries(settlement setlId: String, after: UInt64? = nil, limit: Int = maxTracePage) throws -> [StoredEntry] {
        guard InvoiceSettlementStateKeys.fits(setlId) else { return [] }
        return try read { store in
            try Self.entries(Self.trace(.settlement, InvoiceSettlementStateKeys.settlement(setlId), after, limit, in: store), in: store)
        }
    }

    private static func trace(_ tag: InvoiceSettlementStateKeys.Tag, _ record: [UInt8], _ after: UInt64?, _ limit: Int,
                              in store: InvoiceSettlementStore) throws -> [UInt64] {
        try store.trace(tag, record: record, after: after, limit: pageSize(limit))
    }

    private static func entries(_ indexes: [UInt64], in store: InvoiceSettlementStore) throws -> [StoredEntry] {
        try indexes.map { index in
            guard let entry = try store.state.entry(at: index) else {
                throw LedgerError(.dataLoss, "the trace names entry \(index), which is missing")
            }
            return entry
        }
    }

    // MARK: reconciliation (票实核对)

    /// One pair: the invoice against `setlId`, or against its linked settlement when `setlId` is nil.
    /// nil when the invoice, the link or the settlement is missing.
    public func reconcile(invoice key: InvoiceKey, settlement setlId: String? = nil) throws -> ReconciliationReport? {
        guard Self.fits(key) else { return nil }
        return try read { store in
            guard let invoice = try Self.invoice(key, in: store),
                  let setlId = setlId ?? invoice.linkedSetlId,
                  InvoiceSettlementStateKeys.fits(setlId),
                  let settlement = try Self.settlement(setlId, in: store) else { return nil }
            return Reconciliation.reconcile(invoice: invoice.invoice, settlement: settlement.settlement,
                                            settlementStatus: settlement.state.status)
        }
    }

    /// The batch form over an institution (`fixmedins_code` = `invoicing_party_code`) and days `from...through`
    /// (yyyy-MM-dd, inclusive). Bounded: lists hold at most `listLimit` each (≤ `ReconciliationBatch.maxListLimit`),
    /// the scan reads at most `scanLimit` records (≤ `InstitutionReconciliation.maxScanLimit`; see
    /// `InstitutionReconciliation.complete`).
    public func reconcile(institution: String, from: String, through: String,
                          listLimit: Int = ReconciliationBatch.defaultListLimit,
                          scanLimit: Int = InstitutionReconciliation.defaultScanLimit) throws -> InstitutionReconciliation {
        var check = FieldChecker()
        check.code("institution", institution, maxBytes: DomainLimits.orgCodeBytes)
        if !BusinessTime.isDate(from) { check.fail("from", "must be a date '\(BusinessTime.dateFormat)', got \(FieldChecker.quoted(from))") }
        if !BusinessTime.isDate(through) { check.fail("through", "must be a date '\(BusinessTime.dateFormat)', got \(FieldChecker.quoted(through))") }
        if check.problems.isEmpty, from > through { check.fail("through", "must not be before from \(from)") }
        if !(0...ReconciliationBatch.maxListLimit).contains(listLimit) {
            check.fail("list_limit", "must be 0 to \(ReconciliationBatch.maxListLimit), got \(listLimit)")
        }
        if !(1...InstitutionReconciliation.maxScanLimit).contains(scanLimit) {
            check.fail("scan_limit", "must be 1 to \(InstitutionReconciliation.maxScanLimit), got \(scanLimit)")
        }
        try check.throwFirst()
        return try read { store in
            var result = InstitutionReconciliation(institution: institution, from: from, through: through,
                                                   batch: ReconciliationBatch(listLimit: listLimit))
            var settlements: [String] = []
            var invoices: [InvoiceKey] = []
            result.complete = try store.institutionDays(institution, from: from, through: through, limit: scanLimit) { tag, key in
                result.scanned += 1
                try key.withUnsafeBytes { buffer in
                    var r = ByteReader(buffer)
                    switch tag {
                    case .settlement: settlements.append(try r.shortField())
                    default: invoices.append(try InvoiceSettlementStateKeys.readInvoice(&r))
                    }
                }
            }
            var compared = Set<InvoiceKey>()
            for setlId in settlements {
                guard let settlement = try Self.settlement(setlId, in: store) else { continue }
                var live = 0
                for (key, _) in try store.linkedInvoices(of: setlId, limit: InvoiceSettlementRules.maxInvoicesPerSettlement) {
                    guard let invoice = try Self.invoice(key, in: store), Self.isLive(invoice.state) else { continue }
                    live += 1
                    compared.insert(key)
                    result.batch.add(Reconciliation.reconcile(invoice: invoice.invoice, settlement: settlement.settlement,
                                                              settlementStatus: settlement.state.status))
                }
                if live == 0, settlement.state.status == .uploaded { result.batch.addSettlementWithoutInvoice(setlId) }
            }
            for key in invoices where !compared.contains(key) {
                guard let invoice = try Self.invoice(key, in: store), Self.isLive(invoice.state) else { continue }
                if let linked = invoice.linkedSetlId, let settlement = try Self.settlement(linked, in: store) {
                    // The settlement's day lies outside the range: the pair is still this range's business.
                    result.batch.add(Reconciliation.reconcile(invoice: invoice.invoice, settlement: settlement.settlement,
                                                              settlementStatus: settlement.state.status))
                } else if Self.needsSettlement(invoice.invoice) {
                    result.batch.addInvoiceWithoutSettlement(key)
                }
            }
            return result
        }
    }

    // MARK: helpers

    private func read<R>(_ body: (InvoiceSettlementStore) throws -> R) throws -> R {
        try ledger.readState { state in try body(InvoiceSettlementStore(state: state)) }
    }

    private static func invoice(_ key: InvoiceKey, in store: InvoiceSettlementStore) throws -> LedgerInvoice? {
        guard let state = try store.invoiceState(key), let record = try store.invoiceRecord(key) else { return nil }
        try StateRecordCheck.invoice(state, issued: record.invoice, at: record.index)
        return LedgerInvoice(state: state, invoice: record.invoice, issueIndex: record.index,
                             linkedSetlId: try store.invoiceLink(key)?.setlId)
    }

    private static func settlement(_ setlId: String, in store: InvoiceSettlementStore) throws -> LedgerSettlement? {
        guard let state = try store.settlementState(setlId), let record = try store.settlementRecord(setlId) else { return nil }
        try StateRecordCheck.settlement(state, uploaded: record.settlement, at: record.index)
        return LedgerSettlement(state: state, settlement: record.settlement, uploadIndex: record.index)
    }

    /// A BLUE invoice that no red one reversed: the only kind reconciled against its settlement.
    private static func isLive(_ state: InvoiceState) -> Bool { state.colour == .blue && state.status != .reversed }

    /// Insurance paid part of it (or it names a settlement): a settlement must exist.
    private static func needsSettlement(_ invoice: Invoice) -> Bool {
        !invoice.setlId.isEmpty || invoice.fundPayAmount != 0 || invoice.accountPayAmount != 0
    }

    private static func fits(_ key: InvoiceKey) -> Bool {
        InvoiceSettlementStateKeys.fits(key.invoiceCode) && InvoiceSettlementStateKeys.fits(key.invoiceNumber)
    }

    private static func pageSize(_ limit: Int) -> Int { min(max(limit, 0), maxTracePage) }
}
