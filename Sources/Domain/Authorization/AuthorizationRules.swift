import YibaoCrypto
import YibaoLedger

extension AggregateRegistration {
    /// Authorization (授权管理, kinds 120–122): its grant state sits beside the invoice and account state it checks
    /// against. It hands `apply` nothing from admission.
    static let authorization = AggregateRegistration(
        name: "authorization", kinds: EntryKind.authorizationKinds, databaseNames: AuthorizationStore.databaseNames,
        operations: [.grantAccess, .revokeGrant, .recordGrantUsage],
        admit: { record, position, org, _, _ in
            AuthorizationRules.admit(record, position: position, by: org).map { .failure($0) } ?? .success(nil)
        },
        apply: { record, _, state in try AuthorizationRules(personIndexKey: state.personIndexKey).apply(record, in: state) })
}

/// The authorization kinds' admit / apply pair.
struct AuthorizationRules {
    let personIndexKey: PersonIndexKey

    /// Stateless: decoding, field rules, and whether the org's role may ever grant, revoke or record usage.
    static func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity) -> LedgerError? {
        do throws(LedgerError) {
            let caller = try DomainCaller.caller(org)
            let decoded = try AuthorizationRecord(kind: record.kind, payload: record.payload, position: position)
            try decoded.validate(at: "records[\(position)]")
            _ = try PermissionMatrix.authorize(caller, decoded.operation, .ownedBy(caller))
            return nil
        } catch {
            return error
        }
    }

    func apply(_ record: AppliedRecord, in state: StateTransaction) throws -> ApplyOutcome {
        let decoded = try AuthorizationRecord(kind: record.kind.rawValue, payload: record.payload, position: record.position)
        let transition = AuthorizationTransition(
            invoices: InvoiceSettlementStore(state: state), accounts: DigitalAccounts(state: state, key: personIndexKey),
            store: AuthorizationStore(state: state), record: record, caller: try DomainCaller.caller(record.org))
        switch decoded {
        case .grant(let grant): return try transition.grant(grant)
        case .revoke(let revocation): return try transition.revoke(revocation)
        case .usage(let usage): return try transition.use(usage)
        }
    }
}
