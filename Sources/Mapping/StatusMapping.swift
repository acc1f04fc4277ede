import YibaoCrypto
import YibaoLedger
import YibaoProto
import YibaoRPC

/// The one place where domain and ledger errors become gRPC statuses (docs/api.md, "Errors"): invalid → INVALID_ARGUMENT,
/// wrong state → FAILED_PRECONDITION, unknown key → NOT_FOUND, duplicate → ALREADY_EXISTS, not allowed →
/// PERMISSION_DENIED, no identity → UNAUTHENTICATED, overloaded → RESOURCE_EXHAUSTED.
public enum StatusMapping {
    public static func code(_ code: LedgerError.Code) -> GRPCStatus.Code {
        switch code {
        case .invalidArgument: .invalidArgument
        case .failedPrecondition: .failedPrecondition
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .permissionDenied: .permissionDenied
        case .unauthenticated: .unauthenticated
        case .resourceExhausted: .resourceExhausted
        case .unavailable: .unavailable
        case .dataLoss: .dataLoss
        case .internal: .internal
        }
    }

    public static func status(_ error: LedgerError) -> GRPCStatus {
        GRPCStatus(code(error.code), error.message)
    }

    /// Any error a handler meets. A status thrown on purpose passes through; a `FormatError` is a malformed field
    /// of the request; cancellation stays cancellation; anything else is INTERNAL without internals.
    public static func status(for error: any Error) -> GRPCStatus {
        switch error {
        case let status as GRPCStatus: status
        case let ledger as LedgerError: status(ledger)
        case let format as FormatError: GRPCStatus(.invalidArgument, "\(format)")
        case is CancellationError: GRPCStatus(.cancelled, "the call was cancelled")
        default: GRPCStatus(.internal, "the node failed to serve the call")
        }
    }

    /// One failed record of a batch.
    public static func recordError(_ error: LedgerError) -> Yibao_V1_RecordError {
        var record = Yibao_V1_RecordError()
        record.code = Int32(code(error.code).rawValue)
        record.message = error.message
        return record
    }
}
