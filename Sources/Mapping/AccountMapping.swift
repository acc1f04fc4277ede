import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoProto

/// Digital accounts and authorization grants as API messages.
package enum AccountMapping {
    package static func account(_ account: DigitalAccount) -> Yibao_V1_DigitalAccount {
        var m = Yibao_V1_DigitalAccount()
        m.personId = account.person.description
        m.openedIndex = account.openedIndex
        m.openedTimeMs = Int64(clamping: account.openedTimeMs)
        m.invoiceCount = account.invoices
        m.settlementCount = account.settlements
        m.latestIndex = account.latestIndex
        return m
    }

    package static func record(_ record: AccountRecord) -> Yibao_V1_AccountRecord {
        var m = Yibao_V1_AccountRecord()
        m.ledgerIndex = record.index
        switch record.reference {
        case .invoice(let key): m.record = .invoice(InvoiceMapping.key(key))
        case .settlement(let setlId): m.record = .setlId(setlId)
        }
        return m
    }

    package static func grant(_ grant: AuthorizationGrantState) -> Yibao_V1_Grant {
        var m = Yibao_V1_Grant()
        m.grantId = grant.id.bytes
        m.grantIndex = grant.grantIndex
        m.grantedTimeMs = Int64(clamping: grant.grantedTimeMs)
        m.operatorOrg = grant.operatorOrg
        m.channel = grant.channel
        m.scope = Yibao_V1_GrantScope(rawValue: Int32(grant.scope.rawValue))
        m.invoices = grant.invoices.map(InvoiceMapping.key)
        m.validFromMs = Int64(clamping: grant.validFromMs)
        m.validUntilMs = Int64(clamping: grant.validUntilMs)
        m.status = grant.status == .live ? .live : .revoked
        m.revokedIndex = grant.revokedIndex ?? 0
        m.revokingOrg = grant.revokingOrg ?? ""
        m.usageCount = grant.usages
        return m
    }

    package static func scope(_ scope: Yibao_V1_GrantScope, at path: String) throws(LedgerError) -> GrantScope {
        switch scope {
        case .namedInvoices: .namedInvoices
        case .allInvoices: .allInvoices
        default: throw FieldPath.invalid(path, "must be NAMED_INVOICES or ALL_INVOICES, got \(scope.rawValue)")
        }
    }
}
