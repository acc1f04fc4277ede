/// Payload of an `org_registered` entry: an org joins the registry (or rotates its key) with its role and SM2 key.
/// Being on the ledger, the registry lets an auditor check every batch signature from the entries alone.
///
///     u8 format (1), u8+ASCII org code, u8+ASCII role, u16 length + SM2 public key (SubjectPublicKeyInfo DER)
public struct OrgRegistration: Sendable, Equatable {
    public static let format: UInt8 = 1
    public static let requestId = "org-registry"

    public var code: String
    public var role: String
    public var publicKeyDER: [UInt8]

    public init(code: String, role: String, publicKeyDER: [UInt8]) {
        self.code = code
        self.role = role
        self.publicKeyDER = publicKeyDER
    }

    public var encoded: [UInt8] {
        var w = ByteWriter()
        w.u8(OrgRegistration.format)
        w.shortField(code)
        w.shortField(role)
        w.u16(UInt16(publicKeyDER.count))
        w.raw(publicKeyDER)
        return w.bytes
    }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        var r = ByteReader(bytes)
        guard try r.u8() == OrgRegistration.format else { throw FormatError("unknown org registration format") }
        code = try r.shortField()
        role = try r.shortField()
        publicKeyDER = Array(try r.raw(Int(try r.u16())))
        guard r.isAtEnd else { throw FormatError("trailing bytes after org registration") }
    }
}
