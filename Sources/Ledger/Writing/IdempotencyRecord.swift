import YibaoCrypto

/// What the ledger remembers of each (org, client request id) so that a retry gets the original answers:
/// the seal's index (which holds where every record landed), the digest of what was signed (a different batch
/// under the same id is refused), and the messages of records refused at the time.
///
///     u64 seal index ‖ 32-byte batch digest ‖ u32 refusal count ‖ per refusal: u32 position, u8+ASCII code, u16+UTF-8 message
struct IdempotencyRecord: Equatable {
    var sealIndex: UInt64
    var batchDigest: Digest32
    var refusals: [(position: Int, error: LedgerError)]

    static func key(org: String, requestId: String) -> [UInt8] {
        Array(org.utf8) + [0] + Array(requestId.utf8)
    }

    var encoded: [UInt8] {
        var w = ByteWriter(capacity: 44 + refusals.count * 64)
        w.u64(sealIndex)
        w.digest(batchDigest)
        w.u32(UInt32(refusals.count))
        for (position, error) in refusals {
            w.u32(UInt32(position))
            w.shortField(error.code.rawValue)
            let message = Array(error.message.utf8.prefix(Int(UInt16.max)))
            w.u16(UInt16(message.count))
            w.raw(message)
        }
        return w.bytes
    }

    init(sealIndex: UInt64, batchDigest: Digest32, refusals: [(position: Int, error: LedgerError)]) {
        self.sealIndex = sealIndex
        self.batchDigest = batchDigest
        self.refusals = refusals
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws {
        var r = ByteReader(bytes)
        sealIndex = try r.u64()
        batchDigest = try r.digest()
        let count = Int(try r.u32())
        guard count <= r.remaining / 7 else { throw FormatError("idempotency record claims \(count) refusals") }
        refusals = []
        for _ in 0..<count {
            let position = Int(try r.u32())
            let codeName = try r.shortField()
            let message = String(decoding: try r.raw(Int(try r.u16())), as: UTF8.self)
            refusals.append((position, LedgerError(LedgerError.Code(rawValue: codeName) ?? .internal, message)))
        }
    }

    static func == (a: IdempotencyRecord, b: IdempotencyRecord) -> Bool {
        a.sealIndex == b.sealIndex && a.batchDigest == b.batchDigest
            && a.refusals.map(\.position) == b.refusals.map(\.position) && a.refusals.map(\.error) == b.refusals.map(\.error)
    }
}
