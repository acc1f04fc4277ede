/// The exact bytes of one ledger entry, as hashed into its Merkle leaf (leaf = H(0x00 ‖ these bytes)).
///
///     u8  format (1)
///     u16 kind
///     u8  org code length, org code (ASCII)
///     u8  request id length, request id (UTF-8)
///     u32 position of the record within its request batch
///     ... payload (to the end)
///
/// Commit time is not inside: the writer assigns it after the caller has hashed the entry, and it is attested by the
/// batch's seal entry, which follows the records in the log. (org, request id, position) makes every entry unique.
public struct LedgerEntry: Sendable, Equatable {
    public static let format: UInt8 = 1
    public static let maxOrgLength = 64
    public static let maxRequestIdLength = 128

    public var kindNumber: UInt16
    public var org: String
    public var requestId: String
    public var position: UInt32
    public var payload: [UInt8]

    public init(kind: UInt16, org: String, requestId: String, position: UInt32, payload: [UInt8]) {
        self.kindNumber = kind
        self.org = org
        self.requestId = requestId
        self.position = position
        self.payload = payload
    }

    public static func headerSize(org: String, requestId: String) -> Int {
        1 + 2 + 1 + org.utf8.count + 1 + requestId.utf8.count + 4
    }

    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: LedgerEntry.headerSize(org: org, requestId: requestId) + payload.count)
        w.u8(LedgerEntry.format)
        w.u16(kindNumber)
        w.shortField(org)
        w.shortField(requestId)
        w.u32(position)
        w.raw(payload)
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        var r = ByteReader(bytes)
        let format = try r.u8()
        guard format == LedgerEntry.format else { throw FormatError("entry format \(format) is not \(LedgerEntry.format)") }
        kindNumber = try r.u16()
        org = try r.shortField()
        requestId = try r.shortField()
        position = try r.u32()
        payload = Array(r.rest())
    }

    public init(decoding bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try LedgerEntry(decoding: $0) }
    }
}
