import YibaoCrypto
import YibaoLedger

/// The account state databases:
///
/// | database | key → value |
/// |---|---|
/// | `accounts` | 2 ‖ HMAC(psn_no) (32) → person key: the account a settlement tied the psn_no to |
/// | `persons` | the account and its records, under the person key (`PersonStateKeys`) |
///
/// The inverted index in a record's key makes a cursor walk an account newest first.
struct DigitalAccountStore {
    static let accounts = "accounts"
    static let databaseNames = [accounts, PersonStateKeys.database]

    enum Tag: UInt8 {
        // 1 was the account itself, which now lies beside its records in `persons`.
        case psnNo = 2
    }

    enum RecordTag: UInt8 {
        case invoice = 1
        case settlement = 2
    }

    let bytes: StateBytes

    init(state: StateTransaction) { bytes = StateBytes(state: state) }

    func account(_ person: PersonKey) throws -> DigitalAccount? {
        guard let stored = try bytes.get(PersonStateKeys.database, PersonStateKeys.account(person.digest)) else { return nil }
        return try StateBytes.decoded("accounts[\(person)]") { () throws(FormatError) in try DigitalAccount(decoding: stored) }
    }

    func putAccount(_ account: DigitalAccount) throws {
        try bytes.put(PersonStateKeys.database, PersonStateKeys.account(account.person.digest), account.encoded)
    }

    func person(psnNo digest: Digest32) throws -> PersonKey? {
        guard let stored = try bytes.get(Self.accounts, [Tag.psnNo.rawValue] + digest.bytes) else { return nil }
        guard let person = Digest32(bytes: stored) else {
            throw LedgerError(.dataLoss, "state: a psn_no entry of accounts holds \(stored.count) bytes, not a person key")
        }
        return PersonKey(digest: person)
    }

    func putPerson(_ person: PersonKey, psnNo digest: Digest32) throws {
        try bytes.put(Self.accounts, [Tag.psnNo.rawValue] + digest.bytes, person.digest.bytes)
    }

    func addRecord(_ person: PersonKey, index: UInt64, _ reference: AccountRecord.Reference) throws {
        let value: [UInt8] = switch reference {
        case .invoice(let key): [RecordTag.invoice.rawValue] + InvoiceSettlementStateKeys.invoice(key)
        case .settlement(let setlId): [RecordTag.settlement.rawValue] + InvoiceSettlementStateKeys.settlement(setlId)
        }
        try bytes.put(PersonStateKeys.database, PersonStateKeys.accountRecord(person.digest, index: index), value)
    }

    /// The account's records older than `after` (exclusive; nil: from the newest), newest first, at most `limit`.
    func records(_ person: PersonKey, after: UInt64?, limit: Int) throws -> [AccountRecord] {
        let prefix = PersonStateKeys.accountRecords(person.digest)
        var start = prefix
        if let after {
            guard after > 0 else { return [] }
            start += StateBytes.u64(UInt64.max - after + 1)
        }
        var found: [AccountRecord] = []
        try bytes.scan(PersonStateKeys.database, prefix: prefix, from: start, limit: limit) { rest, value in
            guard let inverted = StateBytes.u64(from: rest) else {
                throw LedgerError(.dataLoss, "state: an account record key of \(person) has \(rest.count) index bytes")
            }
            found.append(AccountRecord(index: UInt64.max - inverted, reference: try Self.reference(value, of: person)))
        }
        return found
    }

    private static func reference(_ value: [UInt8], of person: PersonKey) throws -> AccountRecord.Reference {
        do {
            return try value.withUnsafeBytes { buffer throws(FormatError) in
                var r = ByteReader(buffer)
                let tag = try r.u8()
                let reference: AccountRecord.Reference
                switch RecordTag(rawValue: tag) {
                case .invoice: reference = .invoice(try InvoiceSettlementStateKeys.readInvoice(&r))
                case .settlement: reference = .settlement(try r.shortField())
                case nil: throw FormatError("record tag \(tag)")
                }
                guard r.isAtEnd else { throw FormatError("\(r.remaining) bytes after the record key") }
                return reference
            }
        } catch {
            throw LedgerError(.dataLoss, "state: an account record of \(person) does not decode: \(error)")
        }
    }
}
