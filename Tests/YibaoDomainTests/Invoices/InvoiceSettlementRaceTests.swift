import Foundation
import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// 一票多报 made impossible: two bureaus race for the same invoices, every pair of requests in flight together.
/// The writer serializes them, so for each invoice exactly one bureau locks and enters it, and the other is
/// refused on both records with the winner named in the message.
@Suite struct InvoiceSettlementRaceTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    private func race(_ invoices: [Invoice], in l: L) async throws -> [InvoiceKey: [String]] {
        let batches = try invoices.map { invoice in
            try [L.bureauA, L.bureauB].map { org in
                (org, try l.signed(org, [Records.statusChange(.lock, L.reference(invoice)),
                                         Records.statusChange(.recordEntry, L.reference(invoice))]))
            }
        }
        let ledger = l.ledger
        let results = try await withThrowingTaskGroup(of: (InvoiceKey, String, [RecordOutcome]).self) { group in
            for (invoice, pair) in zip(invoices, batches) {
                for (org, batch) in pair {
                    group.addTask { (invoice.key, org, try await ledger.submit(batch)) }
                }
            }
            return try await group.reduce(into: [(InvoiceKey, String, [RecordOutcome])]()) { $0.append($1) }
        }
        var winners: [InvoiceKey: [String]] = [:]
        for (key, org, outcomes) in results {
            let landed = outcomes.filter { (try? $0.get()) != nil }.count
            #expect(landed == 0 || landed == 2, "\(key) by \(org): \(outcomes)")
            if landed == 2 { winners[key, default: []].append(org) }
            if landed == 0, case .failure(let refusal) = outcomes[0] {
                #expect(refusal.code == .failedPrecondition && refusal.message.contains("ENTERED by org "), "\(refusal)")
            }
        }
        return winners
    }

    @Test func exactlyOneBureauLocksAndEntersEachInvoice() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let invoices = (1...100).map { L.blue($0) }
        _ = try await l.submit(L.platform, Records.issue(invoices)).map { try $0.get() }
        for round in 1...2 {
            let winners = try await race(invoices, in: l)
            for invoice in invoices {
                let orgs = winners[invoice.key] ?? []
                #expect(orgs.count == 1, "round \(round), \(invoice.key): winners \(orgs)")
                let state = try #require(try l.service.invoice(invoice.key)).state
                #expect(state.status == .entered && state.enteringOrg == orgs.first, "round \(round), \(invoice.key)")
            }
            // The winners revoke their entries, and the invoices are up for grabs again.
            for invoice in invoices {
                let winner = try #require(winners[invoice.key]?.first)
                try await l.landed(winner, Records.statusChange(.revokeEntry, L.reference(invoice)))
            }
        }
        try l.verifyFully()
    }
}
