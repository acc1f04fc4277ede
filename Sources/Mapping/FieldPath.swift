import YibaoCrypto
import YibaoLedger

/// Refusals of request fields before the domain sees them (a missing message, an unknown enum value), named by
/// their path in the request, like the domain names its own (`invoices[2].invoice_kind`).
package enum FieldPath {
    package static func invalid(_ path: String, _ problem: String) -> LedgerError {
        LedgerError(.invalidArgument, "\(path): \(problem)")
    }

    package static func join(_ prefix: String, _ field: String) -> String {
        prefix.isEmpty ? field : "\(prefix).\(field)"
    }

    package static func required<T>(_ value: T?, _ path: String) throws(LedgerError) -> T {
        guard let value else { throw invalid(path, "required") }
        return value
    }

    /// Ledger times travel as int64 ms in the API and are unsigned on the ledger.
    package static func milliseconds(_ value: Int64, _ path: String) throws(LedgerError) -> UInt64 {
        guard value >= 0 else { throw invalid(path, "must be UTC milliseconds, not negative (\(value))") }
        return UInt64(value)
    }

    package static func digest(_ bytes: [UInt8], _ path: String) throws(LedgerError) -> Digest32 {
        guard let digest = Digest32(bytes: bytes), bytes.count == Digest32.byteCount else {
            throw invalid(path, "must be 32 bytes, got \(bytes.count)")
        }
        return digest
    }
}
