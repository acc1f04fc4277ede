/// Payload of a `batch_seal` entry, which the node appends after the records of one request batch.
///
///     u8  format (1)
///     u64 commit time, UTC ms
///     u32 record count
///     per record: u8 1 + u64 ledger index (landed) | u8 0 + 32-byte leaf hash (refused, so never appended)
///     u16 signature length, the org's DER signature over `BatchSigningMessage`
///
/// With it an auditor re-checks the org's signature from the ledger alone, refused records included.
/// The seal entry's own org and request id are the batch's.
public struct BatchSeal: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case landed(index: UInt64)
        case refused(leafHash: Digest32)
    }

    public static let format: UInt8 = 1
    /// The seal's position field: past any real record position.
    public static let position = UInt32.max

    public var commitTimeMs: UInt64
    public var outcomes: [Outcome]
    public var signature: [UInt8]

    public init(commitTimeMs: UInt64, outcomes: [Outcome], signature: [UInt8]) {
        self.commitTimeMs = commitTimeMs
        self.outcomes = outcomes
        self.signature = signature
    }

    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: 1 + 8 + 4 + 33 * outcomes.count + 2 + signature.count)
        w.u8(BatchSeal.format)
        w.u64(commitTimeMs)
        w.u32(UInt32(outcomes.count))
        for outcome in outcomes {
            switch outcome {
            case .landed(let index): w.u8(1); w.u64(index)
            case .refused(let hash): w.u8(0); w.digest(hash)
            }
        }
        w.u16(UInt16(signature.count))
        w.raw(signature)
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        var r = ByteReader(bytes)
        let format = try r.u8()
        guard format == BatchSeal.format else { throw FormatError("seal format \(format) is not \(BatchSeal.format)") }
        commitTimeMs = try r.u64()
        let count = Int(try r.u32())
        // Each outcome takes at least 9 bytes: a count the bytes cannot hold is a lie, not an allocation.
        guard count <= r.remaining / 9 else { throw FormatError("seal claims \(count) records in \(r.remaining) bytes") }
        outcomes = []
        outcomes.reserveCapacity(count)
        for _ in 0..<count {
            switch try r.u8() {
            case 1: outcomes.append(.landed(index: try r.u64()))
            case 0: outcomes.append(.refused(leafHash: try r.digest()))
            case let tag: throw FormatError("seal outcome tag \(tag) is neither 0 nor 1")
            }
        }
        signature = Array(try r.raw(Int(try r.u16())))
        guard r.isAtEnd else { throw FormatError("\(r.remaining) trailing bytes after the seal") }
    }
}
