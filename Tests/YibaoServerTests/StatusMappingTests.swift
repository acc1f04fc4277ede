import Testing
import YibaoDomain
import YibaoRPC
@testable import YibaoServer

/// The one error mapping, exhaustively: every ledger error code, and what other errors become.
@Suite("StatusMapping")
struct StatusMappingTests {
    @Test("every LedgerError code maps to its gRPC status, with the message kept")
    func everyCode() {
        let expected: [LedgerError.Code: GRPCStatus.Code] = [
            .invalidArgument: .invalidArgument, .failedPrecondition: .failedPrecondition, .notFound: .notFound,
            .alreadyExists: .alreadyExists, .permissionDenied: .permissionDenied, .unauthenticated: .unauthenticated,
            .resourceExhausted: .resourceExhausted, .unavailable: .unavailable, .dataLoss: .dataLoss, .internal: .internal,
        ]
        #expect(Set(expected.keys) == Set(LedgerError.Code.allCases))
        for code in LedgerError.Code.allCases {
            let status = StatusMapping.status(for: LedgerError(code, "why \(code.rawValue)"))
            #expect(status.code == expected[code])
            #expect(status.message == "why \(code.rawValue)")
            #expect(StatusMapping.recordError(LedgerError(code, "m")).code == Int32(expected[code]!.rawValue))
        }
    }

    @Test("a status passes through; cancellation stays cancelled; anything else is INTERNAL without its text")
    func otherErrors() {
        struct Secret: Error {}
        #expect(StatusMapping.status(for: GRPCStatus(.aborted, "x")) == GRPCStatus(.aborted, "x"))
        #expect(StatusMapping.status(for: CancellationError()).code == .cancelled)
        let status = StatusMapping.status(for: Secret())
        #expect(status.code == .internal)
        #expect(!status.message.contains("Secret"))
    }

    @Test("batch messages are renamed from the ledger's positions to the request's")
    func rename() {
        #expect(ServiceContext.rename("records[1].total_amount: bad", from: "records[1]", to: "invoices[3]") == "invoices[3].total_amount: bad")
        #expect(ServiceContext.rename("records[10]: x", from: "records[1]", to: "invoices[3]") == "records[10]: x")
    }
}
