import Foundation
import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// The pure lifecycle table of `InvoiceLifecycleTests` (every state × every command × the org holding the invoice
/// and another org) replayed through the ledger: each state is built by real entries, each command is a signed
/// record, and the outcome must be the table's, with the state unchanged after every refusal.
@Suite struct InvoiceSettlementTransitionTableTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    /// Builds `state` on invoice number `n` (red invoices n+1 and, for a reverse command, n+2); returns the target.
    private func build(_ state: String, n: Int, in l: L) async throws -> (target: Invoice, blue: Invoice) {
        let blue = L.blue(n)
        let ref = L.reference(blue)
        try await l.landed(L.platform, Records.issue([blue])[0])
        if state.hasSuffix("Paper") || state == "paper" {
            try await l.landed(L.platform, Records.exchangePaper(PaperExchange(reference: ref, exchangeTime: "2024-03-02 08:00:00")))
        }
        if state.hasPrefix("locked") || state.hasPrefix("entered") { try await l.landed(L.bureauA, Records.statusChange(.lock, ref)) }
        if state.hasPrefix("entered") { try await l.landed(L.bureauA, Records.statusChange(.recordEntry, ref)) }
        if state.hasPrefix("reversed") || state == "red" {
            try await l.landed(L.platform, Records.reverse(L.red(n + 1, reversing: blue)))
        }
        return (state == "red" ? L.red(n + 1, reversing: blue) : blue, blue)
    }

    private func record(_ command: String, target: Invoice, blue: Invoice, n: Int) -> LedgerRecord {
        let ref = L.reference(target)
        switch command {
        case "exchangePaper": return Records.exchangePaper(PaperExchange(reference: ref, exchangeTime: "2024-03-02 08:00:00"))
        case "lock": return Records.statusChange(.lock, ref)
        case "unlock": return Records.statusChange(.unlock, ref)
        case "recordEntry": return Records.statusChange(.recordEntry, ref)
        case "revokeEntry": return Records.statusChange(.revokeEntry, ref)
        case "link": return Records.link(ref, setlId: "S2")
        case "reverse":
            var red = L.red(n + 2, reversing: blue)
            red.relatedInvoiceNumber = target.invoiceNumber  // the red invoice itself, in the "red" row
            return Records.reverse(red)
        default: fatalError("no command \(command)")
        }
    }

    @Test func everyRowOfThePureTableHoldsThroughTheLedger() async throws {
        let l = try await L()
        defer { l.shutdown() }
        try await l.landed(L.hospital, Records.upload([L.settlement("S2")])[0])
        var n = 1_000
        var checked = 0
        for row in InvoiceLifecycleTests.fullTable {
            // Bureau commands are run by A (who locked) and by B; the platform's and the hospital's once.
            let bureau = ["lock", "unlock", "recordEntry", "revokeEntry"].contains(row.command)
            let runs: [(org: String, expected: String)] = bureau
                ? [(L.bureauA, row.byA), (L.bureauB, row.byB)]
                : [(row.command == "link" ? L.hospital : L.platform, row.byA)]
            for run in runs {
                n += 10
                let (target, blue) = try await build(row.state, n: n, in: l)
                let before = try #require(try l.service.invoice(target.key)).state
                let setupRed = L.red(n + 1, reversing: blue).key
                let commandRed = L.red(n + 2, reversing: blue).key
                var expected = run.expected
                    .replacingOccurrences(of: InvoiceLifecycleTests.k2, with: "<K2>")
                    .replacingOccurrences(of: InvoiceLifecycleTests.k, with: "<K>")
                if row.state == "red" && row.command == "reverse" {
                    // Through the ledger the red-invoice rule answers first: the invoice named is not BLUE.
                    expected = expected.replacingOccurrences(of: "; cannot reverse", with: "; only a BLUE invoice can be reversed")
                }
                let reversesNow = row.command == "reverse" && expected.hasPrefix("→")
                expected = expected
                    .replacingOccurrences(of: "<K2>", with: (reversesNow ? commandRed : setupRed).description)
                    .replacingOccurrences(of: "<K>", with: blue.key.description)
                let outcome = try await l.submit(run.org, record(row.command, target: target, blue: blue, n: n))
                let after = try #require(try l.service.invoice(target.key)).state
                let label = "\(row.state) \(row.command) by \(run.org)"
                if expected.hasPrefix("→ ") {
                    #expect((try? outcome.get()) != nil, "\(label): \(outcome)")
                    #expect(after.summary == String(expected.dropFirst(2)), "\(label)")
                } else {
                    #expect(outcome == .failure(LedgerError(.failedPrecondition, String(expected.dropFirst(2)))), "\(label)")
                    #expect(after == before, "\(label): a refusal changed the state")
                }
                checked += 1
            }
        }
        #expect(checked == 9 * (4 * 2 + 3))
        try l.verifyFully()
    }
}
