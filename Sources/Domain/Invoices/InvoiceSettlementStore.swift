import YibaoCrypto
import YibaoLedger

/// Typed reads and writes of the invoice and settlement state databases inside one transaction: the writer's, a
/// verifier's replay, or a reader's snapshot. Every read copies out of LMDB's map at once, because a later write
/// in the same transaction may move the page it points into.
///
/// | database | key → value |
/// |---|---|
/// | `invoices` | invoice key → `InvoiceState` |
/// | `invoice_records` | invoice key → u64 index of the issuing entry (the invoice itself is that entry's payload) |
/// | `settlements` | settlement key → `SettlementState` |
/// | `settlement_records` | settlement key → u64 index of the uploading entry (whose payload is the settlement) |
/// | `links` | 1 ‖ invoice key → u64 index of the linking entry ‖ setl_id; 2 ‖ settlement key ‖ invoice key → u64 index; 3 ‖ settlement key ‖ invoice key → empty (the invoice names a settlement not uploaded yet) |
/// | `trace` | 1 ‖ invoice key ‖ u64 index, or 2 ‖ settlement key ‖ u64 index → empty: every entry that touched the record |
/// | `institution_days` | institution key ‖ yyyy-MM-dd ‖ 1 ‖ invoice key (medical date), or 2 ‖ settlement key (setl_time) → empty |
/// | `persons` | `PersonIndexKey` identifier ‖ 3 ‖ 1 ‖ invoice key (its payer_code), or ‖ 3 ‖ 2 ‖ settlement key (its certno) → empty, beside the person's account (`PersonStateKeys`) |
///
/// PII never lies in clear here: the records themselves are read from their entries (stored with the PII section
/// sealed, `EntrySealing`) rather than copied, and look-ups by ID number go through the keyed hash.
struct InvoiceSettlementStore {
    static let invoices = "invoices"
    static let invoiceRecords = "invoice_records"
    static let settlements = "settlements"
    static let settlementRecords = "settlement_records"
    static let links = "links"
    static let trace = "trace"
    static let institutionDays = "institution_days"
    /// `persons` is declared by the account store, which shares it (`PersonStateKeys`).
    static let databaseNames = [invoices, invoiceRecords, settlements, settlementRecords, links, trace, institutionDays]

    typealias Keys = InvoiceSettlementStateKeys

    let state: StateTransaction

    // MARK: invoices

    func invoiceState(_ key: InvoiceKey) throws -> InvoiceState? {
        guard let bytes = try get(Self.invoices, Keys.invoice(key)) else { return nil }
        return try decoded("invoices[\(key)]") { () throws(FormatError) in try InvoiceState(decoding: bytes) }
    }

    /// The invoice as issued (the issuing entry's payload) and that entry's index.
    func invoiceRecord(_ key: InvoiceKey) throws -> (index: UInt64, invoice: Invoice)? {
        guard let index = try invoiceRecordIndex(key) else { return nil }
        return (index, try pointedAt(index, "invoice_records[\(key)]", Invoice.init(decoding:)) { invoice in
            invoice.key == key ? nil : "invoice \(invoice.key)"
        })
    }

    /// Only the issuing entry's index: an idempotent repeat needs no entry read.
    func invoiceRecordIndex(_ key: InvoiceKey) throws -> UInt64? {
        guard let bytes = try get(Self.invoiceRecords, Keys.invoice(key)) else { return nil }
        return try pointer(bytes, "invoice_records[\(key)]")
    }

    func putInvoice(_ invoice: InvoiceState) throws {
        try put(Self.invoices, Keys.invoice(invoice.key), invoice.encoded)
    }

    /// `index`: the entry whose payload is the invoice.
    func putInvoiceRecord(_ key: InvoiceKey, index: UInt64) throws {
        try put(Self.invoiceRecords, Keys.invoice(key), Keys.u64(index))
    }

    // MARK: settlements

    func settlementState(_ setlId: String) throws -> SettlementState? {
        guard let bytes = try get(Self.settlements, Keys.settlement(setlId)) else { return nil }
        return try decoded("settlements[\(setlId)]") { () throws(FormatError) in try SettlementState(decoding: bytes) }
    }

    func settlementRecord(_ setlId: String) throws -> (index: UInt64, settlement: Settlement)? {
        guard let index = try settlementRecordIndex(setlId) else { return nil }
        return (index, try pointedAt(index, "settlement_records[\(setlId)]", Settlement.init(decoding:)) { settlement in
            settlement.setlId == setlId ? nil : "settlement \(settlement.setlId)"
        })
    }

    func settlementRecordIndex(_ setlId: String) throws -> UInt64? {
        guard let bytes = try get(Self.settlementRecords, Keys.settlement(setlId)) else { return nil }
        return try pointer(bytes, "settlement_records[\(setlId)]")
    }

    func putSettlement(_ settlement: SettlementState) throws {
        try put(Self.settlements, Keys.settlement(settlement.setlId), settlement.encoded)
    }

    func putSettlementRecord(_ setlId: String, index: UInt64) throws {
        try put(Self.settlementRecords, Keys.settlement(setlId), Keys.u64(index))
    }

    // MARK: person index (keyed hash of ID numbers)

    /// Indexes `record` (tagged invoice or settlement) under `person`, the keyed identifier of its ID number
    /// (`PreparedRecord.person`); nothing if it has none.
    func addPerson(_ person: Digest32?, _ tag: Keys.Tag, record: [UInt8]) throws {
        guard let person else { return }
        try put(PersonStateKeys.database, PersonStateKeys.personIndex(person, tag: tag.rawValue) + record, [])
    }

    /// Record keys (after the tag) indexed under `idNumber`, in key order, at most `limit`.
    func personRecords(_ idNumber: String, _ tag: Keys.Tag, limit: Int) throws -> [[UInt8]] {
        var found: [[UInt8]] = []
        try scan(PersonStateKeys.database, prefix: try personPrefix(idNumber, tag), limit: limit) { rest, _ in found.append(rest) }
        return found
    }

    private func personPrefix(_ idNumber: String, _ tag: Keys.Tag) throws -> [UInt8] {
        guard let dataKey = state.dataKey else { throw Self.dataKeyNeeded }
        return PersonStateKeys.personIndex(dataKey.personIndex.identifier(of: idNumber), tag: tag.rawValue)
    }

    static let dataKeyNeeded = LedgerError(.failedPrecondition, "entries are sealed; the data key is needed")

    // MARK: links

    /// The settlement an invoice is linked to (both present) and the entry that completed the link.
    func invoiceLink(_ key: InvoiceKey) throws -> (setlId: String, index: UInt64)? {
        guard let bytes = try get(Self.links, Keys.tagged(.invoice, Keys.invoice(key))) else { return nil }
        let (index, setlId) = try indexed(bytes, "links[\(key)]")
        return (String(decoding: setlId, as: UTF8.self), index)
    }

    /// Invoices linked to the settlement, in key order, at most `limit`.
    func linkedInvoices(of setlId: String, limit: Int) throws -> [(key: InvoiceKey, index: UInt64)] {
        var found: [(key: InvoiceKey, index: UInt64)] = []
        try scan(Self.links, prefix: Keys.tagged(.settlement, Keys.settlement(setlId)), limit: limit) { rest, value in
            let key = try invoiceKey(rest)
            found.append((key, try indexed(value, "links[\(setlId)/\(key)]").index))
        }
        return found
    }

    /// Invoices that name the settlement while it is not uploaded yet.
    func pendingInvoices(of setlId: String, limit: Int) throws -> [InvoiceKey] {
        var found: [InvoiceKey] = []
        try scan(Self.links, prefix: Keys.tagged(.pending, Keys.settlement(setlId)), limit: limit) { rest, _ in
            found.append(try invoiceKey(rest))
        }
        return found
    }

    /// Records the link both ways, and clears the invoice's pending mark if it had one.
    func putLink(_ key: InvoiceKey, setlId: String, index: UInt64) throws {
        let invoice = Keys.invoice(key), settlement = Keys.settlement(setlId)
        try put(Self.links, Keys.tagged(.invoice, invoice), Keys.u64(index) + Array(setlId.utf8))
        try put(Self.links, Keys.tagged(.settlement, settlement, invoice), Keys.u64(index))
        try delete(Self.links, Keys.tagged(.pending, settlement, invoice))
    }

    func putPendingLink(_ key: InvoiceKey, setlId: String) throws {
        try put(Self.links, Keys.tagged(.pending, Keys.settlement(setlId), Keys.invoice(key)), [])
    }

    // MARK: trace and day index

    func addTrace(invoice key: InvoiceKey, index: UInt64) throws {
        try put(Self.trace, Keys.tagged(.invoice, Keys.invoice(key), Keys.u64(index)), [])
    }

    func addTrace(settlement setlId: String, index: UInt64) throws {
        try put(Self.trace, Keys.tagged(.settlement, Keys.settlement(setlId), Keys.u64(index)), [])
    }

    /// Entry indexes that touched the record, in ledger order, after `after` (exclusive), at most `limit`.
    func trace(_ tag: Keys.Tag, record: [UInt8], after: UInt64?, limit: Int) throws -> [UInt64] {
        let prefix = Keys.tagged(tag, record)
        let start = after.map { $0 == .max ? nil : prefix + Keys.u64($0 + 1) } ?? prefix
        guard let start else { return [] }
        var indexes: [UInt64] = []
        try scan(Self.trace, prefix: prefix, from: start, limit: limit) { rest, _ in
            guard rest.count == 8 else { throw LedgerError(.dataLoss, "state: a trace key of \(tag) has \(rest.count) index bytes") }
            indexes.append(rest.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) })
        }
        return indexes
    }

    func addInstitutionDay(_ institution: String, day: String, _ tag: Keys.Tag, record: [UInt8]) throws {
        try put(Self.institutionDays, Keys.institutionDay(institution, day: day, tag, record), [])
    }

    /// Records of the institution whose day lies in `from...through` (yyyy-MM-dd), in day order; stops after
    /// `limit` and returns false if more were left.
    func institutionDays(_ institution: String, from: String, through: String, limit: Int,
                         _ body: (Keys.Tag, [UInt8]) throws -> Void) throws -> Bool {
        var w = ByteWriter()
        w.shortField(institution)
        let prefix = w.bytes
        var seen = 0
        var complete = true
        try (prefix + Array(from.utf8)).withUnsafeBytes { start in
            try prefix.withUnsafeBytes { within in
                try state.txn.forEach(state.database(Self.institutionDays), from: start, within: within) { key, _ in
                    guard key.count > prefix.count + 11 else { return false }
                    let day = String(decoding: key[prefix.count..<prefix.count + 10], as: UTF8.self)
                    guard day <= through else { return false }
                    guard seen < limit else {
                        complete = false
                        return false
                    }
                    seen += 1
                    guard let tag = Keys.Tag(rawValue: key[prefix.count + 10]) else {
                        throw LedgerError(.dataLoss, "state: an institution_days key has tag \(key[prefix.count + 10])")
                    }
                    try body(tag, Array(key[(prefix.count + 11)...]))
                    return true
                }
            }
        }
        return complete
    }

    // MARK: bytes

    private var bytes: StateBytes { StateBytes(state: state) }

    private func get(_ db: String, _ key: [UInt8]) throws -> [UInt8]? { try bytes.get(db, key) }

    private func put(_ db: String, _ key: [UInt8], _ value: [UInt8]) throws { try bytes.put(db, key, value) }

    private func delete(_ db: String, _ key: [UInt8]) throws { try bytes.delete(db, key) }

    private func scan(_ db: String, prefix: [UInt8], from start: [UInt8]? = nil, limit: Int,
                      _ body: ([UInt8], [UInt8]) throws -> Void) throws {
        try bytes.scan(db, prefix: prefix, from: start, limit: limit, body)
    }

    private func invoiceKey(_ bytes: [UInt8]) throws -> InvoiceKey {
        do {
            return try bytes.withUnsafeBytes { buffer in
                var r = ByteReader(buffer)
                let key = try Keys.readInvoice(&r)
                guard r.isAtEnd else { throw FormatError("\(r.remaining) bytes after the invoice key") }
                return key
            }
        } catch {
            throw LedgerError(.dataLoss, "state: a links key does not decode: \(error)")
        }
    }

    /// Splits `u64 index ‖ rest`.
    /// The record in the entry at `index`, which `other` must not find to be another record (it names it).
    private func pointedAt<T>(_ index: UInt64, _ what: String, _ decode: ([UInt8]) throws(FormatError) -> T,
                              other: (T) -> String?) throws -> T {
        let payload = try state.entryPayload(at: index)
        let record = try decoded("\(what) (entry \(index))") { () throws(FormatError) in try decode(payload) }
        if let named = other(record) { throw LedgerError(.dataLoss, "state: \(what) (entry \(index)) holds \(named)") }
        return record
    }

    /// A record's value: exactly the u64 index of the entry holding it.
    private func pointer(_ bytes: [UInt8], _ what: String) throws -> UInt64 {
        guard bytes.count == 8 else {
            throw LedgerError(.dataLoss, "state: \(what) holds \(bytes.count) bytes, not an entry index")
        }
        return bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    private func indexed(_ bytes: [UInt8], _ what: String) throws -> (index: UInt64, rest: [UInt8]) {
        guard bytes.count >= 8 else { throw LedgerError(.dataLoss, "state: \(what) holds \(bytes.count) bytes, less than an index") }
        return (bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }, Array(bytes[8...]))
    }

    private func decoded<T>(_ what: @autoclosure () -> String, _ decode: () throws(FormatError) -> T) throws -> T {
        try StateBytes.decoded(what(), decode)
    }
}
