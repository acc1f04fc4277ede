import YibaoCrypto

/// What the permission matrix needs to know about the record an operation touches; the caller derives it from
/// the record (or the request, for a new one). Fields that do not apply stay nil / empty.
public struct RecordOwnership: Hashable, Sendable {
    /// The org the record belongs to: an invoice's `invoicing_party_code`, a settlement's `fixmedins_code`.
    public var owner: String?
    /// The record's administrative region (行政区划 code, e.g. 460106), for bureau scoping.
    public var region: String?
    /// The bank a fund batch is addressed to.
    public var addressee: String?
    /// Orgs holding a live grant that covers the record.
    public var grantHolders: Set<String>
    /// A ledger entry the node wrote itself (genesis, registry, seals, audit anchors): it holds no record data.
    public var isNodeWritten: Bool

    public init(owner: String? = nil, region: String? = nil, addressee: String? = nil, grantHolders: Set<String> = [],
                isNodeWritten: Bool = false) {
        self.owner = owner
        self.region = region
        self.addressee = addressee
        self.grantHolders = grantHolders
        self.isNodeWritten = isNodeWritten
    }

    /// A ledger entry belongs to the org that wrote it; one the node wrote belongs to no org and holds no record data.
    public static func ofEntry(org: String, kindNumber: UInt16) -> RecordOwnership {
        EntryKind.isNodeWritten(kindNumber) ? RecordOwnership(isNodeWritten: true) : RecordOwnership(owner: org)
    }

    /// For operations that touch no particular record (registry, policies, ledger metadata).
    public static let none = RecordOwnership()

    /// The 6-digit region inside a national institution code `H460106xxxxx` (letter, admdvs, serial), if it has one.
    public static func region(ofInstitution code: String) -> String? {
        let b = Array(code.utf8)
        guard b.count == 12, b[0] >= UInt8(ascii: "A"), b[0] <= UInt8(ascii: "Z"),
              b.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return String(decoding: b[1..<7], as: UTF8.self)
    }
}

/// Who is asking: the org's registered role and code, and for an insurance bureau the region it administers
/// (a 行政区划 prefix: "46" the province, "4601" a city).
public struct Caller: Hashable, Sendable {
    public var role: Role
    public var org: String
    public var region: String

    public init(role: Role, org: String, region: String = "") {
        self.role = role
        self.org = org
        self.region = region
    }
}
