/// 票实核对 over one institution and a date range (invoices by medical date, settlements by settlement day):
/// exact counts and bounded lists in `batch` (`batch.truncated` when a list hit its limit), and whether the scan
/// reached the end of the range (`complete`) or stopped at `scanLimit` records of the day index.
///
/// Counted: every live pair (a BLUE, not reversed invoice and its settlement) touching the range, compared field
/// by field; BLUE live invoices that need a settlement (they carry `setl_id`, or the fund or the personal account
/// paid) without one; UPLOADED settlements without a live invoice; invoices linked to a REVOKED settlement.
/// Red invoices and reversed blue ones cancel out and are not compared.
public struct InstitutionReconciliation: Hashable, Sendable {
    public static let defaultScanLimit = 100_000
    /// The most records of the day index one call may read: the scan runs in one read transaction on a handler
    /// thread and keeps every key it read, so an unbounded one would pin an LMDB snapshot (and memory) for as long
    /// as a caller likes. A million is a large hospital's year; a wider range is asked for in parts.
    public static let maxScanLimit = 1_000_000

    public let institution: String
    /// yyyy-MM-dd, inclusive.
    public let from: String
    public let through: String
    public internal(set) var batch: ReconciliationBatch
    /// Records of the day index read (invoices and settlements of the institution in the range).
    public internal(set) var scanned = 0
    /// false: the range holds more than `scanLimit` records and the rest was not read; narrow the range.
    public internal(set) var complete = true
}
