/// Payload of the first entry of every ledger: who runs it and how it hashes.
///
///     u8 format (1), u8+ASCII hash algorithm ("sm3"), u8+ASCII node id,
///     u16 length + node SM2 public key (SubjectPublicKeyInfo DER), u64 creation time UTC ms
public struct GenesisRecord: Sendable, Equatable {
    public static let format: UInt8 = 1
    public static let requestId = "genesis"

    public var hashAlgorithm: HashAlgorithm
    public var nodeId: String
    public var nodePublicKeyDER: [UInt8]
    public var createdAtMs: UInt64

    public init(hashAlgorithm: HashAlgorithm, nodeId: String, nodePublicKeyDER: [UInt8], createdAtMs: UInt64) {
        self.hashAlgorithm = hashAlgorithm
        self.nodeId = nodeId
        self.nodePublicKeyDER = nodePublicKeyDER
        self.createdAtMs = createdAtMs
    }

    public var encoded: [UInt8] {
        var w = ByteWriter()
        w.u8(GenesisRecord.format)
        w.shortField(hashAlgorithm.rawValue)
        w.shortField(nodeId)
        w.u16(UInt16(nodePublicKeyDER.count))
        w.raw(nodePublicKeyDER)
        w.u64(createdAtMs)
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        var r = ByteReader(bytes)
        guard try r.u8() == GenesisRecord.format else { throw FormatError("unknown genesis format") }
        let name = try r.shortField()
        guard let algorithm = HashAlgorithm(rawValue: name) else { throw FormatError("unknown hash algorithm \(name)") }
        hashAlgorithm = algorithm
        nodeId = try r.shortField()
        nodePublicKeyDER = Array(try r.raw(Int(try r.u16())))
        createdAtMs = try r.u64()
        guard r.isAtEnd else { throw FormatError("trailing bytes after genesis") }
    }
}
