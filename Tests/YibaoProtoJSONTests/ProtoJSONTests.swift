import Foundation
import Testing
import YibaoProto
import YibaoProtoJSON

/// The JSON mapping the CLI uses (driven by the protobuf-c descriptors): a request written as JSON becomes the message
/// the generated code decodes, responses print every field, and JSON that does not fit names the field.
@Suite("yibao CLI JSON mapping")
struct ProtoJSONTests {
    static func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: Data(text.utf8)) }

    @Test("a request in JSON is the message the generated code decodes")
    func request() throws {
        let request = try Yibao_V1_IssueInvoicesRequest(json: Self.parse("""
            {"request_id": "r-1", "invoices": [{"invoice_code": "46010624", "invoiceNumber": "0000000001",
             "invoice_kind": "OUTPATIENT", "payer_type": "PAYER_TYPE_INDIVIDUAL", "total_amount": "9007199254740993",
             "fund_pay_amount": -5, "items": [{"code": "A01", "quantity_ten_thousandths": 15000, "amount": 7000}],
             "raw_document": "AAEC"}]}
            """))
        #expect(request.requestId == "r-1")
        let invoice = try #require(request.invoices.first)
        #expect(invoice.invoiceCode == "46010624" && invoice.invoiceNumber == "0000000001")
        #expect(invoice.invoiceKind == .outpatient && invoice.payerType == .individual)
        #expect(invoice.totalAmount == 9_007_199_254_740_993, "64-bit integers stay exact")
        #expect(invoice.fundPayAmount == -5 && invoice.items.first?.quantityTenThousandths == 15_000)
        #expect(invoice.rawDocument == [0, 1, 2])
    }

    @Test("oneofs, bytes in hex, and the round trip through the output JSON")
    func roundTrip() throws {
        let proof = try Yibao_V1_GetInclusionProofRequest(json: Self.parse("""
            {"tx_hash": "hex:00ff10", "tree_size": 12}
            """))
        #expect(proof.leaf == .txHash([0x00, 0xff, 0x10]) && proof.treeSize == 12)
        var response = Yibao_V1_GetInclusionProofResponse()
        response.ledgerIndex = 7
        response.treeSize = 15
        response.leafHash = Array(repeating: 0xab, count: 32)
        response.path = [Array(repeating: 1, count: 32), Array(repeating: 2, count: 32)]
        var head = Yibao_V1_SignedTreeHead()
        head.treeSize = 15
        head.timestampMs = 1_795_400_704_249
        head.hashAlgorithm = "sm3"
        response.treeHead = head
        let text = JSONWriter.text(response.json)
        #expect(try Yibao_V1_GetInclusionProofResponse(json: Self.parse(text)) == response)
        #expect(text.contains("\"ledger_index\": 7") && text.contains("\"hash_algorithm\": \"sm3\""))
    }

    @Test("output names every field, defaults included; the readable style uses short enum names")
    func output() throws {
        var state = Yibao_V1_InvoiceState()
        state.status = .locked
        state.lockingOrg = "B4601"
        var response = Yibao_V1_GetInvoiceResponse()
        response.state = state
        let json = JSONWriter.text(response.json, pretty: false)
        #expect(json.contains("\"status\":\"INVOICE_STATUS_LOCKED\"") && json.contains("\"paper_exchanged\":false"))
        #expect(!json.contains("\"invoice\":"), "an absent message field is absent")
        let readable = JSONWriter.text(response.readableJSON, pretty: false)
        #expect(readable.contains("\"status\":\"LOCKED\"") && readable.contains("\"locking_org\":\"B4601\""), "\(readable)")
    }

    @Test("JSON that does not fit names the field and the rule")
    func errors() throws {
        func problem(_ text: String) -> String {
            do {
                _ = try Yibao_V1_IssueInvoicesRequest(json: try Self.parse(text))
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(problem(#"{"request_id": "x", "invoices": [{"total_amount": 1.5}]}"#).hasPrefix("invoices[0].total_amount: expected a whole number"))
        #expect(problem(#"{"invoices": [{"invoice_kind": "DENTAL"}]}"#).hasPrefix("invoices[0].invoice_kind: 'DENTAL' is not one of INVOICE_KIND_UNSPECIFIED"))
        #expect(problem(#"{"request": "x"}"#).hasPrefix("request: yibao.v1.IssueInvoicesRequest has no field 'request'"))
        #expect(problem(#"{"invoices": {"a": 1}}"#) == "invoices: expected an array, got an object")
        #expect(problem(#"{"invoices": [{"medical_insurance_id": 5}]}"#).hasPrefix("invoices[0].medical_insurance_id: expected a string"))
        #expect(problem(#"{"invoices": [{"total_amount": 9223372036854775808}]}"#).contains("is not a whole number in"))
        #expect(problem(#"{"invoices": [{"raw_document": "***"}]}"#).contains("is not base64"))
        let both = try Self.parse(#"{"ledger_index": 1, "tx_hash": "AA=="}"#)
        #expect(throws: ProtoJSONError.self) { try Yibao_V1_GetInclusionProofRequest(json: both) }
    }
}
