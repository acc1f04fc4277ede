import YibaoCrypto
import YibaoLedger

/// Builds the ledger records of authorization, ready for `SignedBatch.signing` by the submitting org.
public enum AuthorizationRecords {
    /// 票据授权上链, by the person's operator org (invoice platform or insurance bureau).
    public static func grant(_ grant: AuthorizationGrant) -> LedgerRecord {
        LedgerRecord(kind: .authorizationGranted, payload: grant.encoded)
    }

    /// 授权撤销, by an operator org, naming the person's certno.
    public static func revoke(_ revocation: GrantRevocation) -> LedgerRecord {
        LedgerRecord(kind: .authorizationRevoked, payload: revocation.encoded)
    }

    /// 渠道授权登记, by the grant's channel.
    public static func recordUsage(_ usage: GrantUsage) -> LedgerRecord {
        LedgerRecord(kind: .grantUsageRecorded, payload: usage.encoded)
    }
}
