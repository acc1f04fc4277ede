import YibaoCrypto
import YibaoLedger

/// Digital accounts and grants are keyed by the keyed hash of the ID number (`PersonIndexKey`, derived from the
/// node's data key), never by the number itself, so the state databases, cursors and messages hold no certno
/// (docs/requirements.md, Security); an unkeyed hash of an 18-digit ID number would fall to enumeration of birth dates and regions.
/// The verifier replays with the same data key, so the keys come out the same.
extension PersonIndexKey {
    /// The account key of a person's ID number (a lowercase check character `x` reaches the same account).
    public func person(certno: String) -> PersonKey { PersonKey(digest: identifier(of: certno)) }

    /// The keyed hash of a 人员编号, which leads to the account of the person a settlement named with it.
    func psnNo(_ psnNo: String) -> Digest32 { identifier(ofPersonNumber: psnNo) }
}

/// The node's person index key inside a transaction: the ledger always opens with a data key.
extension StateTransaction {
    var personIndexKey: PersonIndexKey {
        get throws(LedgerError) {
            guard let dataKey else { throw LedgerError(.failedPrecondition, "the person index needs the node's data key") }
            return dataKey.personIndex
        }
    }
}

/// A person's key in the account and grant state: HMAC-SM3 of the certno under the node's `PersonIndexKey`.
/// Messages show its first 8 bytes, which name the account without revealing the person.
public struct PersonKey: Hashable, Sendable, CustomStringConvertible {
    public let digest: Digest32

    public init(digest: Digest32) { self.digest = digest }

    public var description: String { String(digest.hex.prefix(16)) }
}
