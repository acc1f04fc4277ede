/// A refusal or failure with a code that front ends map to a gRPC status in one place, and a message that names
/// the field or rule. Domain rules build on the same type.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidArgument = "invalid_argument"
        case failedPrecondition = "failed_precondition"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case permissionDenied = "permission_denied"
        case unauthenticated
        case resourceExhausted = "resource_exhausted"
        case unavailable
        case dataLoss = "data_loss"
        case `internal`
    }

    public let code: Code
    public let message: String
    /// For a refusal that names a field: its path and the rule it breaks, as values, so that a front end renames
    /// the path to its request's (`records[0].invoice_code` → `invoices[3].invoice_code`) without reading the
    /// message. nil for a refusal about no one field.
    public let field: RefusedField?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        field = nil
    }

    /// A refusal of the field at `path` by `rule`; its message is `path: rule`.
    public init(_ code: Code, field path: String, _ rule: String) {
        self.code = code
        message = "\(path): \(rule)"
        field = RefusedField(path: path, rule: rule)
    }

    /// Equal when code and message are: the field is the message's own start, said again as values.
    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    // MARK: the ledger's own refusals

    static func overloaded(queued: Int, capacity: Int) -> LedgerError {
        LedgerError(.resourceExhausted, "\(overloadedPrefix)the write queue holds \(queued) of \(capacity) records; retry later")
    }

    private static let overloadedPrefix = "overloaded: "

    /// The write queue was full: nothing of the batch was queued, and the same batch may be sent again after a
    /// pause. A full store is also `resourceExhausted`, but waiting does not cure it.
    public var isOverloaded: Bool { code == .resourceExhausted && message.hasPrefix(Self.overloadedPrefix) }

    static let shuttingDown = LedgerError(.unavailable, "the ledger is shutting down and accepts no writes")

    /// A write that fails in the store reaches its caller through here (`WriteCommand.fail`). A store that is out of
    /// room (the map at its configured maximum, or the disk full) is `resourceExhausted`: nothing is wrong with the
    /// request or the data, and the same write can land once an operator makes room. Anything else is `internal`.
    static func storage(_ error: Error) -> LedgerError {
        storageFull(error) { "\($0); nothing was written, retry once there is room" }
            ?? LedgerError(.internal, "storage failure: \(error)")
    }

    /// The one rule for a store out of room, for every path that writes (the ledger's writes, the audit trail):
    /// `resourceExhausted` "storage full: " followed by `message` of the LMDB error; nil for any other error.
    static func storageFull(_ error: any Error, _ message: (LMDBError) -> String) -> LedgerError? {
        guard let lmdb = error as? LMDBError, lmdb.isOutOfSpace else { return nil }
        return LedgerError(.resourceExhausted, "storage full: " + message(lmdb))
    }
}
