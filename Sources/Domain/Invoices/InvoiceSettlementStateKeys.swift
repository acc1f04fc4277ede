import YibaoCrypto

/// How the invoice and settlement state databases build their keys. Every variable part is length-prefixed (u8),
/// so no record's key is a prefix of another's and a prefix scan (a trace, a settlement's invoices) is exact.
/// Indexes are u64 big-endian, so a cursor walks them in ledger order.
enum InvoiceSettlementStateKeys {
    /// Tags of the `links`, `trace` and `institution_days` keys.
    enum Tag: UInt8 {
        case invoice = 1
        /// A settlement's completed links, or a settlement in the trace / day index.
        case settlement = 2
        /// An invoice that names a settlement not uploaded yet: the link completes when it arrives.
        case pending = 3
    }

    /// u8 len ‖ invoice_code ‖ u8 len ‖ invoice_number (callers validate lengths: at most 255 bytes each).
    static func invoice(_ key: InvoiceKey) -> [UInt8] {
        var w = ByteWriter(capacity: 20)
        w.shortField(key.invoiceCode)
        w.shortField(key.invoiceNumber)
        return w.bytes
    }

    /// u8 len ‖ setl_id.
    static func settlement(_ setlId: String) -> [UInt8] {
        var w = ByteWriter(capacity: 32)
        w.shortField(setlId)
        return w.bytes
    }

    /// Reads an invoice key written by `invoice(_:)` from the front of `bytes`.
    static func readInvoice(_ r: inout ByteReader) throws(FormatError) -> InvoiceKey {
        InvoiceKey(invoiceCode: try r.shortField(), invoiceNumber: try r.shortField())
    }

    /// tag ‖ first ‖ second: sized once, since the writer builds several of these for every record.
    static func tagged(_ tag: Tag, _ first: [UInt8], _ second: [UInt8] = []) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(1 + first.count + second.count)
        key.append(tag.rawValue)
        key += first
        key += second
        return key
    }

    static func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// The day index key: u8 len ‖ institution code ‖ yyyy-MM-dd ‖ tag ‖ record key.
    static func institutionDay(_ institution: String, day: String, _ tag: Tag, _ record: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.shortField(institution)
        w.raw(day.utf8)
        w.u8(tag.rawValue)
        w.raw(record)
        return w.bytes
    }

    /// Lengths the keys can carry; a service read with anything longer finds nothing rather than trapping.
    static func fits(_ value: String) -> Bool { value.utf8.count <= 255 }
}
