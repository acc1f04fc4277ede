/// Payload of a `batch_seal` entry, which the node appends after the records of one request batch.
///
///     u8  format: 1 (org-signed) or 2 (node-attested)
///     u64 commit time, UTC ms
///     u32 record count
///     per record: u8 1 + u64 ledger index (landed) | u8 0 + 32-byte leaf hash (refused, so never appended)
///     format 2 only: `BatchAuthentication`, how the transport authenticated the org
///     u16 signature length; format 1: the org's DER signature over `BatchSigningMessage`;
///                           format 2: none (0): the signed tree heads over the seal are the node's signature
///
/// With it an auditor re-checks the signature from the ledger alone, refused records included.
/// The seal entry's own org and request id are the batch's.
public struct BatchSeal: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case landed(index: UInt64)
        case refused(leafHash: Digest32)
    }

    public static let orgSignedFormat: UInt8 = 1
    public static let attestedFormat: UInt8 = 2
    /// The seal's position field: past any real record position.
    public static let position = UInt32.max

    public var commitTimeMs: UInt64
    public var outcomes: [Outcome]
    /// nil: the org signed the batch. Otherwise the node attests it, and this says what authenticated the org.
    public var authentication: BatchAuthentication?
    public var signature: [UInt8]

    public init(commitTimeMs: UInt64, outcomes: [Outcome], authentication: BatchAuthentication? = nil, signature: [UInt8]) {
        self.commitTimeMs = commitTimeMs
        self.outcomes = outcomes
        self.authentication = authentication
        self.signature = signature
    }

    public var encoded: [UInt8] {
        var w = ByteWriter(capacity: 1 + 8 + 4 + 33 * outcomes.count + 2 + signature.count)
        w.u8(authentication == nil ? BatchSeal.orgSignedFormat : BatchSeal.attestedFormat)
        w.u64(commitTimeMs)
        w.u32(UInt32(outcomes.count))
        for outcome in outcomes {
            switch outcome {
            case .landed(let index): w.u8(1); w.u64(index)
            case .refused(let hash): w.u8(0); w.digest(hash)
            }
        }
        authentication?.encode(into: &w)
        w.u16(UInt16(signature.count))
        w.raw(signature)
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        var r = ByteReader(bytes)
        let format = try r.u8()
        guard format == BatchSeal.orgSignedFormat || format == BatchSeal.attestedFormat else {
            throw FormatError("seal format \(format) is neither \(BatchSeal.orgSignedFormat) nor \(BatchSeal.attestedFormat)")
        }
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
        authentication = format == BatchSeal.attestedFormat ? try BatchAuthentication(decoding: &r) : nil
        signature = Array(try r.raw(Int(try r.u16())))
        guard r.isAtEnd else { throw FormatError("\(r.remaining) trailing bytes after the seal") }
    }
}
