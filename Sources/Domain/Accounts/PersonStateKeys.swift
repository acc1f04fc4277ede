import YibaoCrypto

/// The `persons` state database: everything filed under one person's keyed identifier lies side by side — the
/// digital account, its records newest first, and the person index of invoices (payer_code) and settlements
/// (certno). A record attached to a person then dirties one B-tree page where it used to dirty a random page in
/// each of three databases (`accounts`, `account_records`, `person_index`): with random persons, that page copy
/// and its write at commit were most of the bytes an upload wrote.
///
/// | key | value |
/// |---|---|
/// | person (32) ‖ 1 | `DigitalAccount` |
/// | person (32) ‖ 2 ‖ u64 BE (UInt64.max − index) | 1 ‖ invoice key, or 2 ‖ settlement key: the account's records, newest first |
/// | person (32) ‖ 3 ‖ 1 ‖ invoice key, or person (32) ‖ 3 ‖ 2 ‖ settlement key | empty: the person index |
enum PersonStateKeys {
    static let database = "persons"

    enum Section: UInt8 {
        case account = 1
        case accountRecord = 2
        case personIndex = 3
    }

    static func account(_ person: Digest32) -> [UInt8] {
        person.bytes + [Section.account.rawValue]
    }

    static func accountRecords(_ person: Digest32) -> [UInt8] {
        person.bytes + [Section.accountRecord.rawValue]
    }

    static func accountRecord(_ person: Digest32, index: UInt64) -> [UInt8] {
        accountRecords(person) + StateBytes.u64(UInt64.max - index)
    }

    /// `tag`: the record kind's tag (`InvoiceSettlementStateKeys.Tag`: invoice or settlement).
    static func personIndex(_ person: Digest32, tag: UInt8) -> [UInt8] {
        person.bytes + [Section.personIndex.rawValue, tag]
    }
}
