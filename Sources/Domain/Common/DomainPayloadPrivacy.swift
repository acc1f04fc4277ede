import YibaoCrypto
import YibaoLedger

/// The domain's `EntryPrivacy`: the PII section of every domain payload (kinds from 100 up) is sealed at rest,
/// the public section stays readable. Payloads that are no `DomainPayload` are left as they are (they are refused
/// by their rules anyway).
public struct DomainPayloadPrivacy: EntryPrivacy {
    /// The domain registers its kinds from here up (`EntryKind`).
    public static let firstDomainKind: UInt16 = 100

    public init() {}

    public func privateRange(kind: UInt16, payload: [UInt8]) -> Range<Int>? {
        guard kind >= Self.firstDomainKind else { return nil }
        return try? DomainPayload.piiSectionRange(of: payload)
    }
}
