import YibaoCrypto

/// The node's secret for the person index (归户). Digital accounts and grants are keyed by HMAC-SM3 of the ID
/// number under this key, never by the number itself, so the state databases, cursors and messages hold no
/// certno (DOMAIN 7: "lookups by certno use a keyed hash"); an unkeyed hash of an 18-digit ID number would fall to
/// enumeration of birth dates and regions.
///
/// The key is part of the state machine: every replay must use the same secret (give `verify` / `LedgerVerifier`
/// rules built with it), or every account key differs from its replay. Changing it means rebuilding the state.
public struct PersonIndexKey: Sendable {
    public static let minimumSecretBytes = 16
    /// Domain separation of the two things hashed under one key.
    enum Label: UInt8 {
        case certno = 1
        case psnNo = 2
    }

    private let hmac: HMACKey

    /// At least `minimumSecretBytes` random bytes, kept with the node's keys.
    public init(secret: [UInt8]) throws(LedgerError) {
        guard secret.count >= Self.minimumSecretBytes else {
            throw LedgerError(.invalidArgument, "person index key: must be at least \(Self.minimumSecretBytes) bytes, got \(secret.count)")
        }
        hmac = HMACKey(secret)
    }

    private init(unchecked secret: [UInt8]) { hmac = HMACKey(secret) }

    /// A fixed, published key for tests and development only: with it the index is no better than an unkeyed
    /// hash. A production node configures its own (`InvoiceSettlementService.configuration(_:personIndexKey:)`).
    public static let development = PersonIndexKey(unchecked: Array("yibao-ledger development person index".utf8))

    /// The account key of a person's ID number. ASCII letters are upper-cased first, so an invoice's payer_code
    /// with a lowercase check character `x` reaches the same account as the settlement's certno.
    public func person(certno: String) -> PersonKey {
        PersonKey(digest: code(.certno, Array(certno.utf8).map { $0 >= 0x61 && $0 <= 0x7a ? $0 - 0x20 : $0 }))
    }

    /// The keyed hash of a 人员编号, which leads to the account of the person a settlement named with it.
    func psnNo(_ psnNo: String) -> Digest32 { code(.psnNo, Array(psnNo.utf8)) }

    private func code(_ label: Label, _ value: [UInt8]) -> Digest32 {
        hmac.authenticationCode(for: [label.rawValue] + value)
    }
}

/// A person's key in the account and grant state: HMAC-SM3 of the certno under the node's `PersonIndexKey`.
/// Messages show its first 8 bytes, which name the account without revealing the person.
public struct PersonKey: Hashable, Sendable, CustomStringConvertible {
    public let digest: Digest32

    public init(digest: Digest32) { self.digest = digest }

    public var description: String { String(digest.hex.prefix(16)) }
}
