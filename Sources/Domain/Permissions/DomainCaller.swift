import YibaoLedger
/// The permission matrix's caller from an org's registry entry. The registry holds one role string per org; an
/// insurance bureau carries its region there after a colon (`insurance_bureau:4601`), because the matrix scopes
/// bureaus by region and the registry has no other field for it.
public enum DomainCaller {
    static let regionSeparator: Character = ":"

    /// The caller for an org and its registry role string (`ledger.org(code)?.role`), or `permissionDenied` for a
    /// role string that names no domain role.
    public static func caller(code: String, role roleName: String) throws(LedgerError) -> Caller {
        // Asked once per batch at admission and once per record on replay, so it looks for the separator byte
        // rather than splitting by Character.
        // Bytes, not Characters, on both sides: a combining mark after the colon stays in the region (and fails it).
        let utf8 = roleName.utf8
        let separator = utf8.firstIndex(of: regionSeparator.asciiValue!)
        guard let role = Role(rawValue: String(decoding: utf8[..<(separator ?? utf8.endIndex)], as: UTF8.self)) else {
            throw LedgerError(.permissionDenied, "role \(roleName) (org \(code)) is not a role of the invoice and settlement domain")
        }
        let region = separator.map { String(decoding: utf8[utf8.index(after: $0)...], as: UTF8.self) } ?? ""
        guard region.utf8.count <= 12, region.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw LedgerError(.permissionDenied, "role \(roleName) (org \(code)) names a region that is not a 行政区划 code")
        }
        return Caller(role: role, org: code, region: region)
    }

    static func caller(_ org: OrgIdentity) throws(LedgerError) -> Caller {
        try caller(code: org.code, role: org.role)
    }

    /// The registry role string for a role (and a bureau's region).
    public static func roleName(_ role: Role, region: String = "") -> String {
        region.isEmpty ? role.rawValue : "\(role.rawValue)\(regionSeparator)\(region)"
    }
}

extension RecordOwnership {
    /// An invoice belongs to its hospital (`invoicing_party_code`) and lies in that hospital's region.
    public static func of(_ invoice: Invoice) -> RecordOwnership {
        ofInvoice(invoicingPartyCode: invoice.invoicingPartyCode)
    }

    public static func ofInvoice(invoicingPartyCode: String) -> RecordOwnership {
        RecordOwnership(owner: invoicingPartyCode, region: region(ofInstitution: invoicingPartyCode))
    }

    public static func ofSettlement(fixmedinsCode: String) -> RecordOwnership {
        RecordOwnership(owner: fixmedinsCode, region: region(ofInstitution: fixmedinsCode))
    }

    /// A record as if it were the caller's own: admission asks whether the role may do the operation at all,
    /// before the writer knows whose record it is.
    static func ownedBy(_ caller: Caller) -> RecordOwnership {
        RecordOwnership(owner: caller.org, addressee: caller.org, grantHolders: [caller.org])
    }
}
