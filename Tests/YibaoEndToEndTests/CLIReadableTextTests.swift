import Testing
import YibaoProto
import YibaoProtoJSON
@testable import yibao

/// The CLI's table output for people, from a response's readable JSON: aligned `name: value` lines.
@Suite("yibao CLI readable output")
struct CLIReadableTextTests {
    @Test("aligned fields, short enum names")
    func alignedFields() {
        var state = Yibao_V1_InvoiceState()
        state.status = .locked
        state.lockingOrg = "B4601"
        var response = Yibao_V1_GetInvoiceResponse()
        response.state = state
        let readable = ReadableText.render(response.readableJSON)
        #expect(readable.contains("status:          LOCKED") && readable.contains("locking_org:     B4601"), "\(readable)")
    }
}
