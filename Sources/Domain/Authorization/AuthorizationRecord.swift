import YibaoCrypto
import YibaoLedger

/// One authorization record as submitted: the payload decoded according to its entry kind. Admission and the
/// writer decode through this one function, so what was admitted is exactly what is applied.
enum AuthorizationRecord {
    case grant(AuthorizationGrant)
    case revoke(GrantRevocation)
    case usage(GrantUsage)

    /// Decodes by kind; every refusal is `invalidArgument` naming `records[position]`.
    init(kind: UInt16, payload: [UInt8], position: Int) throws(LedgerError) {
        let at = "records[\(position)]"
        func decode<T>(_ body: () throws(FormatError) -> T) throws(LedgerError) -> T {
            try decodeRecordPayload(at: at, body)
        }
        switch kind {
        case EntryKind.authorizationGranted.rawValue:
            self = .grant(try decode { () throws(FormatError) in try AuthorizationGrant(decoding: payload) })
        case EntryKind.authorizationRevoked.rawValue:
            self = .revoke(try decode { () throws(FormatError) in try GrantRevocation(decoding: payload) })
        case EntryKind.grantUsageRecorded.rawValue:
            self = .usage(try decode { () throws(FormatError) in try GrantUsage(decoding: payload) })
        default:
            throw LedgerError(.invalidArgument, field: "\(at).kind", "\(kind) is not an authorization kind")
        }
    }

    func validate(at prefix: String) throws(LedgerError) {
        switch self {
        case .grant(let grant): try grant.validate(at: prefix)
        case .revoke(let revocation): try revocation.validate(at: prefix)
        case .usage(let usage): try usage.validate(at: prefix)
        }
    }

    var operation: DomainOperation {
        switch self {
        case .grant: .grantAccess
        case .revoke: .revokeGrant
        case .usage: .recordGrantUsage
        }
    }
}
