/// The keyed index over ID numbers (certno, an individual payer's payer_code, a digital account's owner): state
/// databases are keyed by HMAC-SM3 of the number, never the number, so the file alone does not tell whose
/// records they are, and a look-up by number still finds them. Derived from the node's data key:
///
///     index key = HMAC-SM3(dataKey, "yibao-ledger person index v1" ‖ 0x01)
///     identifier(n) = HMAC-SM3(index key, n with ASCII letters upper-cased)
///
/// Upper-casing makes `...002x` and `...002X` (the check character) one person.
public final class PersonIndexKey: Sendable {
    private let key: HMACKey

    /// `dataKey`: the node's 16-byte data key (`NodeDataKey` derives this same key as `personIndex`).
    public init(dataKey: some ContiguousBytesSequence) {
        let deriver = HMACKey(dataKey, algorithm: .sm3)
        key = HMACKey(deriver.authenticationCode(for: NodeDataKey.label("person index")).bytes, algorithm: .sm3)
    }

    /// The index identifier of an ID number (resident ID, passport number, organization code).
    public func identifier(of idNumber: String) -> Digest32 {
        key.authenticationCode(for: Array(idNumber.utf8).map { $0 >= 0x61 && $0 <= 0x7a ? $0 - 0x20 : $0 })
    }

    /// The index identifier of a 人员编号 (psn_no). The leading 0x02 keeps it apart from every ID number, which is
    /// printable text.
    public func identifier(ofPersonNumber psnNo: String) -> Digest32 {
        key.authenticationCode(for: [0x02] + Array(psnNo.utf8))
    }
}
