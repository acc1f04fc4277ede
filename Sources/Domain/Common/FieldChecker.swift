import YibaoLedger
import Foundation

/// Collects every rule a record breaks, one problem per field, each an `invalidArgument` whose message starts
/// with the field's full path: `invoices[3].invoice_code: must be 8 digits, got '1234'`.
/// The caller chooses the prefix (`invoices[3]`); field names are the snake_case names of docs/requirements.md.
/// PII fields are never quoted back: messages end up in logs.
public struct FieldChecker: Sendable {
    /// The caller's path; a nested checker keeps its item's field and index apart and joins them only when a rule
    /// fails, so that a record of many items builds no path string per item while nothing is wrong (one level of
    /// nesting: a checker nested in a nested one would build its outer path per item).
    private let outer: String
    private let item: (field: String, index: Int)?
    public private(set) var problems: [LedgerError] = []

    public init(prefix: String = "") {
        outer = prefix
        item = nil
    }

    private init(outer: String, item: (field: String, index: Int)) {
        self.outer = outer
        self.item = item
    }

    /// The path of the record checked (`invoices[3]`, `invoices[3].items[2]`).
    public var prefix: String {
        guard let item else { return outer }
        return outer.isEmpty ? "\(item.field)[\(item.index)]" : "\(outer).\(item.field)[\(item.index)]"
    }

    public func path(_ field: String) -> String {
        let prefix = self.prefix
        return prefix.isEmpty ? field : "\(prefix).\(field)"
    }

    public mutating func fail(_ field: String, _ rule: String) {
        problems.append(LedgerError(.invalidArgument, field: path(field), rule))
    }

    /// Runs `body` with a checker for the nested record `field[index]` (`items[2]`) and keeps what it found.
    public mutating func nested(_ field: String, index: Int, _ body: (inout FieldChecker) -> Void) {
        var inner = FieldChecker(outer: prefix, item: (field, index))
        body(&inner)
        if !inner.problems.isEmpty { problems += inner.problems }
    }

    public func throwFirst() throws(LedgerError) {
        if let first = problems.first { throw first }
    }

    // MARK: text

    /// Free text: within `maxBytes`, no control characters, no surrounding whitespace, Unicode NFC (so that two
    /// values Swift calls equal always encode to the same bytes). Returns false if a rule failed.
    @discardableResult
    public mutating func text(_ field: String, _ value: String, maxBytes: Int, required: Bool = true) -> Bool {
        if value.isEmpty {
            if required { fail(field, "is required") }
            return !required
        }
        let count = value.utf8.count
        guard count <= maxBytes else {
            fail(field, "must be at most \(maxBytes) bytes, got \(count)")
            return false
        }
        // ASCII (codes, numbers, dates: most fields) is always NFC; check it byte by byte, skipping the costly
        // Unicode passes below, which cost more than the rest of a record's validation together.
        if value.utf8.allSatisfy({ $0 < 0x80 }) {
            guard !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) else {
                fail(field, "must not contain control characters")
                return false
            }
            guard let first = value.utf8.first, let last = value.utf8.last, first != 0x20, last != 0x20 else {
                fail(field, "must not begin or end with whitespace")
                return false
            }
            return true
        }
        // Chinese names and items: printable ASCII, CJK ideographs and CJK/full-width punctuation are NFC as they
        // stand (none decomposes canonically, none combines), so the costly normalization pass is skipped for them.
        if value.unicodeScalars.allSatisfy(Self.isNFCStableText) {
            guard let first = value.utf8.first, let last = value.utf8.last, first != 0x20, last != 0x20 else {
                fail(field, "must not begin or end with whitespace")
                return false
            }
            return true
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            fail(field, "must not contain control characters")
            return false
        }
        guard let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
              !first.properties.isWhitespace, !last.properties.isWhitespace else {
            fail(field, "must not begin or end with whitespace")
            return false
        }
        guard value.utf8.elementsEqual(value.precomposedStringWithCanonicalMapping.utf8) else {
            fail(field, "must be in Unicode normalization form C")
            return false
        }
        return true
    }

    /// Printable ASCII (space included) and scripts with no canonical decomposition and no combining marks: CJK
    /// Unified Ideographs and Extension A, CJK symbols and punctuation (not U+3000, a space, nor the combining tone
    /// marks U+302A–U+302F), full-width forms, the
    /// middle dot of transliterated names. Not the CJK compatibility ideographs (U+F900...), which decompose.
    static func isNFCStableText(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7e, 0xb7, 0x3001...0x3029, 0x3030...0x303f, 0x3400...0x4dbf, 0x4e00...0x9fff, 0xff01...0xff5e: true
        default: false
        }
    }

    /// Exactly `count` ASCII digits.
    public mutating func digits(_ field: String, _ value: String, count: Int) {
        guard value.utf8.count == count, value.utf8.allSatisfy(Self.isDigit) else {
            return fail(field, "must be \(count) digits, got \(Self.quoted(value))")
        }
    }

    /// Exactly `count` ASCII letters or digits.
    public mutating func alphanumerics(_ field: String, _ value: String, count: Int) {
        guard value.utf8.count == count, value.utf8.allSatisfy(Self.isAlphanumeric) else {
            return fail(field, "must be \(count) letters or digits, got \(Self.quoted(value))")
        }
    }

    /// A code of 1 to `maxBytes` ASCII letters or digits (org codes, category codes).
    public mutating func code(_ field: String, _ value: String, maxBytes: Int, required: Bool = true) {
        if value.isEmpty {
            if required { fail(field, "is required") }
            return
        }
        guard value.utf8.count <= maxBytes, value.utf8.allSatisfy(Self.isAlphanumeric) else {
            return fail(field, "must be 1 to \(maxBytes) ASCII letters or digits, got \(Self.quoted(value))")
        }
    }

    /// An identifier of 1 to `maxBytes` printable ASCII characters without spaces (setl_id, bus_no, psn_no).
    public mutating func identifier(_ field: String, _ value: String, maxBytes: Int, required: Bool = true) {
        if value.isEmpty {
            if required { fail(field, "is required") }
            return
        }
        // Characters first, so that the length below counts ASCII characters, not bytes of something else.
        guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            return fail(field, "must be printable ASCII without spaces, got \(Self.quoted(value))")
        }
        let count = value.utf8.count
        guard count <= maxBytes else {
            return fail(field, "must be at most \(maxBytes) characters, got \(count)")
        }
    }

    /// `yyyy-MM-dd HH:mm:ss`, a real calendar moment.
    public mutating func dateTime(_ field: String, _ value: String, required: Bool = true) {
        if value.isEmpty {
            if required { fail(field, "is required") }
            return
        }
        guard BusinessTime.isDateTime(value) else {
            return fail(field, "must be a time '\(BusinessTime.format)', got \(Self.quoted(value))")
        }
    }

    // MARK: money

    public enum Sign: Sendable {
        case nonNegative, nonPositive

        var rule: String { self == .nonNegative ? "must not be negative" : "must not be positive" }
    }

    /// An amount in fen within `num(16,2)` and of the required sign. `context` says why the sign is required.
    @discardableResult
    public mutating func amount(_ field: String, _ value: Fen, _ sign: Sign, context: String = "") -> Bool {
        guard value.magnitude <= FenLimits.maxMagnitude.magnitude else {
            fail(field, "must be within ±\(FenLimits.maxMagnitude) fen, got \(value) fen")
            return false
        }
        let wrongSign = sign == .nonNegative ? value < 0 : value > 0
        guard !wrongSign else {
            fail(field, "\(sign.rule)\(context), got \(value) fen")
            return false
        }
        return true
    }

    // MARK: quoting

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
    }

    /// `'value'`, cut to `DomainLimits.quotedBytes` and with control characters replaced, safe for a log line.
    static func quoted(_ value: String) -> String {
        var out = ""
        var bytes = 0
        for scalar in value.unicodeScalars {
            bytes += scalar.utf8.count
            if bytes > DomainLimits.quotedBytes { return "'\(out)…'" }
            out.unicodeScalars.append(scalar.properties.generalCategory == .control ? "?" : scalar)
        }
        return "'\(out)'"
    }
}
