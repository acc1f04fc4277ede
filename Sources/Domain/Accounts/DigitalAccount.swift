import YibaoCrypto

/// A digital account (数字账户): opened by the first entry that names the person (an individual payer's
/// invoice, or a settlement), with counts of what is attached. It holds no PII: the person is the keyed hash.
public struct DigitalAccount: Hashable, Sendable {
    public var person: PersonKey
    public var openedIndex: UInt64
    public var openedTimeMs: UInt64
    public var invoices: UInt64
    public var settlements: UInt64
    /// The newest entry that attached a record.
    public var latestIndex: UInt64

    public init(person: PersonKey, openedIndex: UInt64, openedTimeMs: UInt64, invoices: UInt64 = 0, settlements: UInt64 = 0,
                latestIndex: UInt64) {
        self.person = person
        self.openedIndex = openedIndex
        self.openedTimeMs = openedTimeMs
        self.invoices = invoices
        self.settlements = settlements
        self.latestIndex = latestIndex
    }

    public var encoded: [UInt8] {
        DomainPayload.encode(.digitalAccount) { w in
            w.digest(person.digest)
            w.u64(openedIndex)
            w.u64(openedTimeMs)
            w.u64(invoices)
            w.u64(settlements)
            w.u64(latestIndex)
        }
    }

    public init(decoding bytes: [UInt8]) throws(FormatError) {
        self = try DomainPayload.decode(bytes, as: .digitalAccount) { (r: inout ByteReader, _: inout ByteReader) throws(FormatError) in
            DigitalAccount(person: PersonKey(digest: try r.digest()), openedIndex: try r.u64(), openedTimeMs: try r.u64(),
                           invoices: try r.u64(), settlements: try r.u64(), latestIndex: try r.u64())
        }
    }
}

/// One record attached to an account: the entry that attached it and what it is.
public struct AccountRecord: Hashable, Sendable {
    public enum Reference: Hashable, Sendable {
        case invoice(InvoiceKey)
        case settlement(String)
    }

    public let index: UInt64
    public let reference: Reference
}

/// One page of an account's records, newest first. Pass `next` as `after:` for the following page; nil when
/// this page reached the oldest record.
public struct AccountRecordPage: Hashable, Sendable {
    public let records: [AccountRecord]
    public let next: UInt64?
}
