import Foundation
import Testing
import YibaoCrypto
@testable import YibaoDomain
import YibaoLedger

/// A refusal that names a field carries the field's path and the rule as values (`LedgerError.field`), which is
/// what a front end renames to its request's path; its message says the same.
@Suite struct RefusedFieldTests {
    typealias L = InvoiceSettlementLedger

    @Test func fieldRulesCarryTheirPathAndRuleAsValues() async throws {
        let l = try await L()
        defer { l.shutdown() }
        var bad = L.blue(1)
        bad.invoiceCode = "1234"
        let records = InvoiceSettlementRecords.issue([L.blue(2), bad]) + [LedgerRecord(kind: .invoiceIssued, payload: [])]
        let outcomes = try await l.submit(L.platform, records)
        guard case .failure(let rule) = outcomes[1], case .failure(let empty) = outcomes[2] else {
            Issue.record("records 1 and 2 must be refused: \(outcomes)")
            return
        }
        // A field rule of the domain.
        let field = try #require(rule.field)
        #expect(field.path == "records[1].invoice_code")
        #expect(rule.code == .invalidArgument && rule.message == "\(field.path): \(field.rule)")
        // The engine's own check of the record.
        #expect(empty.field == RefusedField(path: "records[2].payload", rule: "is empty"))
        // A refusal about no one field carries none.
        #expect(try await l.refusal(L.bureauA, InvoiceSettlementRecords.statusChange(.lock, L.reference(L.blue(9))))?.field == nil)
    }
}
