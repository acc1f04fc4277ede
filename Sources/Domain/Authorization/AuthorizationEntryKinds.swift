import YibaoCrypto

/// The ledger entry kinds of authorization (授权管理), from 120 up, never reused.
extension EntryKind {
    public static let authorizationGranted = EntryKind(120, "authorization_granted")  // AuthorizationGrant
    public static let authorizationRevoked = EntryKind(121, "authorization_revoked")  // GrantRevocation
    public static let grantUsageRecorded = EntryKind(122, "grant_usage_recorded")     // GrantUsage

    public static let authorizationKinds: [EntryKind] = [.authorizationGranted, .authorizationRevoked, .grantUsageRecorded]
}
