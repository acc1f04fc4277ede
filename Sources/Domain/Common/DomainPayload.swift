import YibaoCrypto

/// The envelope of every domain ledger payload (records, operation commands, stored states):
///
///     u8  format (1)
///     u8  tag: which record or command this is (`DomainPayload.Tag`)
///     u32 length ‖ public section      fields anyone entitled to the record may see
///     u32 length ‖ PII section         certno, psn_name, payer_code/name/phone, raw_document; may be empty
///     (nothing after: trailing bytes are refused)
///
/// Canonical: one value has exactly one encoding, and bytes decode only if they are that encoding.
/// Why the PII section is last and length-prefixed: a storage layer can seal exactly that range with SM4
/// (`piiSectionRange`) and leave the public section readable for indexing (`DomainPayloadPrivacy`, `RangeSealedBytes`;
/// the box is bound to the entry's tx hash, which covers the public section). Note the Merkle leaf hashes the
/// plaintext entry, so a store that seals at rest must unseal before serving or verifying an entry.
public enum DomainPayload {
    public static let format: UInt8 = 1

    public enum Tag: UInt8, Sendable, CaseIterable {
        case invoice = 1
        case settlement = 2
        case invoiceStatusChange = 3
        case paperExchange = 4
        case settlementRevocation = 5
        case invoiceSettlementLink = 6
        case authorizationGrant = 7
        case grantRevocation = 8
        case grantUsage = 9
        case invoiceState = 16
        case settlementState = 17
        case digitalAccount = 18
        case grantState = 19
    }

    static func encode(_ tag: Tag, capacity: Int = 256, public publicPart: (inout ByteWriter) -> Void,
                       pii piiPart: (inout ByteWriter) -> Void = { _ in }) -> [UInt8] {
        var publicSection = ByteWriter(capacity: capacity)
        publicPart(&publicSection)
        var piiSection = ByteWriter(capacity: 64)
        piiPart(&piiSection)
        var out = ByteWriter(capacity: 10 + publicSection.bytes.count + piiSection.bytes.count)
        out.u8(format)
        out.u8(tag.rawValue)
        out.blob(publicSection.bytes)
        out.blob(piiSection.bytes)
        return out.bytes
    }

    /// Checks the envelope and hands each section to `body`, which must read it to the end.
    static func decode<T>(_ bytes: [UInt8], as tag: Tag,
                          _ body: (inout ByteReader, inout ByteReader) throws(FormatError) -> T) throws(FormatError) -> T {
        let result: Result<T, FormatError> = bytes.withUnsafeBytes { buffer in
            do throws(FormatError) {
                let (publicRange, piiRange) = try sections(buffer, tag: tag)
                var publicReader = ByteReader(UnsafeRawBufferPointer(rebasing: buffer[publicRange]))
                var piiReader = ByteReader(UnsafeRawBufferPointer(rebasing: buffer[piiRange]))
                let value = try body(&publicReader, &piiReader)
                guard publicReader.isAtEnd else {
                    throw FormatError("\(tag): \(publicReader.remaining) unread bytes in the public section")
                }
                guard piiReader.isAtEnd else {
                    throw FormatError("\(tag): \(piiReader.remaining) unread bytes in the PII section")
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The tag of a payload, without decoding the rest.
    public static func tag(of bytes: [UInt8]) throws(FormatError) -> Tag {
        guard bytes.count >= 2, bytes[0] == format else { throw FormatError("not a domain payload of format \(format)") }
        guard let tag = Tag(rawValue: bytes[1]) else { throw FormatError("unknown domain payload tag \(bytes[1])") }
        return tag
    }

    /// Where the PII section's content lies in `bytes`: the range a storage layer seals with SM4.
    public static func piiSectionRange(of bytes: [UInt8]) throws(FormatError) -> Range<Int> {
        let tag = try tag(of: bytes)
        let result: Result<Range<Int>, FormatError> = bytes.withUnsafeBytes { buffer in
            do throws(FormatError) {
                return .success(try sections(buffer, tag: tag).pii)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func sections(_ buffer: UnsafeRawBufferPointer, tag: Tag) throws(FormatError) -> (public: Range<Int>, pii: Range<Int>) {
        var r = ByteReader(buffer)
        let actualFormat = try r.u8()
        guard actualFormat == format else { throw FormatError("domain payload format \(actualFormat) is not \(format)") }
        let actualTag = try r.u8()
        guard actualTag == tag.rawValue else { throw FormatError("payload tag \(actualTag) is not \(tag) (\(tag.rawValue))") }
        let publicLength = Int(try r.u32())
        let publicStart = r.offset
        _ = try r.raw(publicLength)
        let piiLength = Int(try r.u32())
        let piiStart = r.offset
        _ = try r.raw(piiLength)
        guard r.isAtEnd else { throw FormatError("\(tag): \(r.remaining) trailing bytes after the PII section") }
        return (publicStart..<publicStart + publicLength, piiStart..<piiStart + piiLength)
    }
}
