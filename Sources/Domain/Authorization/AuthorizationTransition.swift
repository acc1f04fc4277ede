import YibaoCrypto
import YibaoLedger

/// One authorization record applied to the stored state, in the writer's transaction: decides everything first
/// and writes last, so a refusal leaves the state untouched. Times are the entry's commit time (replayed as
/// stored), never the clock.
struct AuthorizationTransition {
    /// Usage records one grant may collect: bounds its usage list.
    static let maxUsagesPerGrant: UInt32 = 100_000
    /// How far a usage's read time may lie after the commit time (clock skew between the channel and the node).
    static let readTimeSkewMs: UInt64 = 5 * 60_000

    let invoices: InvoiceSettlementStore
    let accounts: DigitalAccounts
    let store: AuthorizationStore
    let record: AppliedRecord
    let caller: Caller

    private var path: String { "records[\(record.position)]" }

    /// 票据授权: each named invoice must exist, carry the check code and belong to the granting person.
    func grant(_ grant: AuthorizationGrant) throws -> ApplyOutcome {
        guard grant.validUntilMs > record.commitTimeMs else {
            throw LedgerError(.failedPrecondition,
                              field: "\(path).valid_until_ms", "the period ended at \(grant.validUntilMs), before the grant reached the ledger at \(record.commitTimeMs)")
        }
        let person = accounts.key.person(certno: grant.certno)
        for (i, reference) in grant.invoices.enumerated() {
            guard let state = try invoices.invoiceState(reference.key), let issued = try invoices.invoiceRecord(reference.key) else {
                throw LedgerError(.notFound, "invoice \(reference.key) does not exist; cannot grant")
            }
            guard state.checkCode == reference.checkCode else {
                throw LedgerError(.invalidArgument, field: "\(path).invoices[\(i)].check_code", "does not match invoice \(reference.key)")
            }
            guard try accounts.person(of: issued.invoice) == person else {
                throw LedgerError(.permissionDenied, "invoice \(reference.key) is not an invoice of the granting person; cannot grant")
            }
        }
        let state = AuthorizationGrantState(
            id: record.transactionHash, grantIndex: record.index, grantedTimeMs: record.commitTimeMs, person: person,
            operatorOrg: caller.org, channel: grant.channel, scope: grant.scope, invoices: grant.invoices.map(\.key),
            validFromMs: grant.validFromMs, validUntilMs: grant.validUntilMs, status: .live, revokedIndex: nil,
            revokingOrg: nil, usages: 0)
        try store.putGrant(state)
        try store.addPersonGrant(state)
        return .append
    }

    /// 授权撤销: by an operator org for the same person (the certno must match the grant's).
    func revoke(_ revocation: GrantRevocation) throws -> ApplyOutcome {
        guard var grant = try store.grant(revocation.grantId) else {
            throw LedgerError(.notFound, "grant \(revocation.grantId) does not exist; cannot revoke")
        }
        guard accounts.key.person(certno: revocation.certno) == grant.person else {
            throw LedgerError(.permissionDenied, "grant \(grant.id) was not given by this person; cannot revoke")
        }
        guard grant.status == .live else {
            throw LedgerError(.failedPrecondition, "grant \(grant.id) is \(grant.summary); cannot revoke")
        }
        grant.status = .revoked
        grant.revokedIndex = record.index
        grant.revokingOrg = caller.org
        try store.putGrant(grant)
        return .append
    }

    /// 渠道授权登记: only the grant's channel, only while the grant is live, for a read inside its period of an
    /// invoice it covers.
    func use(_ usage: GrantUsage) throws -> ApplyOutcome {
        guard var grant = try store.grant(usage.grantId) else {
            throw LedgerError(.notFound, "grant \(usage.grantId) does not exist; cannot record usage")
        }
        _ = try PermissionMatrix.authorize(caller, .recordGrantUsage,
                                           RecordOwnership(grantHolders: grant.status == .live ? [grant.channel] : []))
        guard usage.readTimeMs <= record.commitTimeMs + Self.readTimeSkewMs else {
            throw LedgerError(.invalidArgument,
                              field: "\(path).read_time_ms", "\(usage.readTimeMs) is after the commit time \(record.commitTimeMs)")
        }
        guard grant.isLive(at: usage.readTimeMs) else {
            throw LedgerError(.failedPrecondition,
                              "grant \(grant.id) is valid from \(grant.validFromMs) until \(grant.validUntilMs); the read at \(usage.readTimeMs) is outside it")
        }
        let owner = try invoices.invoiceRecord(usage.invoice).map { try accounts.person(of: $0.invoice) } ?? nil
        guard grant.covers(usage.invoice, ownedBy: owner) else {
            throw LedgerError(.permissionDenied, "grant \(grant.id) does not cover invoice \(usage.invoice)")
        }
        guard grant.usages < Self.maxUsagesPerGrant else {
            throw LedgerError(.failedPrecondition, "grant \(grant.id) already holds \(grant.usages) usage records; the limit is \(Self.maxUsagesPerGrant)")
        }
        grant.usages += 1
        try store.putGrant(grant)
        try store.addUsage(grant.id, index: record.index, readTimeMs: usage.readTimeMs, invoice: usage.invoice)
        return .append
    }
}
