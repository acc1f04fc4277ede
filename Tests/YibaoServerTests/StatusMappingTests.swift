import Testing
import YibaoLedger
import YibaoMapping
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
        let item = RecordFieldPaths.item("invoices", 3)
        #expect(item.rename("records[1].total_amount: bad", record: "records[1]") == "invoices[3].total_amount: bad")
        #expect(item.rename("records[10]: x", record: "records[1]") == "records[10]: x")
        #expect(item.rename("records[1].payload: the entry is 9 bytes", record: "records[1]") == "invoices[3]: the entry is 9 bytes")
        #expect(item.rename("invoice 46010624/0000000001 is LOCKED", record: "records[1]") == "invoice 46010624/0000000001 is LOCKED")
    }

    /// (paths, the domain's message for records[0], what the caller of the single-record RPC must read)
    static let singleRecordRows: [(RecordFieldPaths, String, String)] = [
        (.redInvoice, "records[0].related_invoice_number: must be 10 digits", "red_invoice.related_invoice_number: must be 10 digits"),
        (.redInvoice, "records[0].items[2].amount: bad", "red_invoice.items[2].amount: bad"),
        (.invoiceReference, "records[0].check_code: must be 6 letters or digits", "invoice.check_code: must be 6 letters or digits"),
        (.invoiceReference, "records[0].invoice_code: must be 8 digits", "invoice.invoice_code: must be 8 digits"),
        (.invoiceReference, "records[0].operated_time: not a time", "operated_time: not a time"),
        (.invoiceReference, "records[0].setl_id: is required", "setl_id: is required"),
        (.invoiceKey, "records[0].invoice_number: must be 10 digits", "invoice.invoice_number: must be 10 digits"),
        (.invoiceKey, "records[0].read_time_ms: 9 is after the commit time 8", "read_time_ms: 9 is after the commit time 8"),
        (.requestFields, "records[0].invoices[1].check_code: does not match", "invoices[1].check_code: does not match"),
        (.requestFields, "records[0].revoke_time: not a time", "revoke_time: not a time"),
        (.requestFields, "records[0].payload: the entry is 9 bytes", "request: the entry is 9 bytes"),
        (.requestFields, "records[0]: refused", "request: refused"),
    ]

    @Test("single-record messages name the request's own field path, never records[0]")
    func singleRecordPaths() {
        for (paths, domain, expected) in Self.singleRecordRows {
            #expect(paths.rename(domain, record: "records[0]") == expected)
        }
    }
}
