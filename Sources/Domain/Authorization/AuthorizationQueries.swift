import YibaoCrypto
import YibaoLedger

/// Authorization (授权管理) on the service: submitting grants, revocations and usage records, listing them, and the
/// read check a front end asks before serving a channel (docs/requirements.md, Operations: reads without a live grant are PERMISSION_DENIED).
extension InvoiceSettlementService {
    public static let maxGrantPage = 1_000
    public static let maxUsagePage = 10_000

    /// 票据授权上链: `batch` holds one grant record (`AuthorizationRecords.grant`); returns the grant id, which is
    /// the transaction hash of its entry. A refusal is thrown.
    public func grant(_ batch: SignedBatch) async throws -> Digest32 {
        try await single(batch, .authorizationGranted).transactionHash
    }

    /// 授权撤销: `batch` holds one revocation record.
    @discardableResult
    public func revokeGrant(_ batch: SignedBatch) async throws -> Receipt {
        try await single(batch, .authorizationRevoked)
    }

    /// 渠道授权登记: `batch` holds one usage record, signed by the grant's channel.
    @discardableResult
    public func recordUsage(_ batch: SignedBatch) async throws -> Receipt {
        try await single(batch, .grantUsageRecorded)
    }

    public func grant(id: Digest32) throws -> AuthorizationGrantState? {
        try ledger.readState { state in try AuthorizationStore(state: state).grant(id) }
    }

    /// 授权查询: the person's grants (live and revoked), newest first, at most `limit` (≤ `maxGrantPage`).
    public func listGrants(certno: String, limit: Int = maxGrantPage) throws -> [AuthorizationGrantState] {
        let person = personKey(certno: certno)
        return try ledger.readState { state in
            let store = AuthorizationStore(state: state)
            return try store.grantIds(of: person, channel: nil, limit: min(max(limit, 0), Self.maxGrantPage))
                .compactMap { try store.grant($0) }
                .sorted { $0.grantIndex > $1.grantIndex }
        }
    }

    /// The channel's reads recorded under the grant, in ledger order, after index `after`, at most `limit`.
    public func listUsage(grant id: Digest32, after: UInt64? = nil, limit: Int = maxUsagePage) throws -> [GrantUsageRecord] {
        try ledger.readState { state in
            try AuthorizationStore(state: state).usages(id, after: after, limit: min(max(limit, 0), Self.maxUsagePage))
        }
    }

    /// The live grant that lets `channel` read `invoice` at `timeMs` (UTC ms), or `permissionDenied`. Looks at
    /// the newest `maxGrantPage` grants of the invoice's person to that channel.
    public func authorizeChannelRead(channel: String, invoice key: InvoiceKey, at timeMs: UInt64) throws -> AuthorizationGrantState {
        let personIndexKey = personIndexKey
        return try ledger.readState { state in
            let invoices = InvoiceSettlementStore(state: state)
            let accounts = DigitalAccounts(state: state, key: personIndexKey)
            let fits = InvoiceSettlementStateKeys.fits(channel) && InvoiceSettlementStateKeys.fits(key.invoiceCode)
                && InvoiceSettlementStateKeys.fits(key.invoiceNumber)
            guard fits, let issued = try invoices.invoiceRecord(key), let person = try accounts.person(of: issued.invoice) else {
                throw LedgerError(.permissionDenied, "no live grant covers invoice \(key) for channel \(channel)")
            }
            let store = AuthorizationStore(state: state)
            for id in try store.grantIds(of: person, channel: channel, limit: Self.maxGrantPage) {
                if let grant = try store.grant(id), grant.isLive(at: timeMs), grant.covers(key, ownedBy: person) { return grant }
            }
            throw LedgerError(.permissionDenied, "no live grant of person \(person) covers invoice \(key) for channel \(channel)")
        }
    }

    /// Submits a batch of exactly one record of `kind` and returns its receipt, or throws its refusal.
    private func single(_ batch: SignedBatch, _ kind: EntryKind) async throws -> Receipt {
        guard batch.records.count == 1, batch.records[0].kind == kind.rawValue else {
            throw LedgerError(.invalidArgument, "records: the batch must hold exactly one \(kind.name) record")
        }
        return try await submit(batch)[0].get()
    }
}
