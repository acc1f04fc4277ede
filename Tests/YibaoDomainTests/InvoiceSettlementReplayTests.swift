import Foundation
import Testing
@testable import YibaoDomain

/// Property: whatever sequence of commands (valid or not, by any org, in batches of several) reaches the ledger,
/// its state is a pure function of its entries: `verify` replays every entry through the rules into a scratch
/// store and finds every state database equal, online and offline after a restart. No command ever fails with
/// anything but a domain refusal.
@Suite struct InvoiceSettlementReplayTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    static let orgs = [L.hospital, L.otherHospital, L.platform, L.bureauA, L.bureauB, L.foreignBureau, L.auditor]

    /// Blue invoice `n` always has the same content, so issuing it twice is a repeat; a few name a settlement.
    static func blue(_ n: Int) -> Invoice { L.blue(n, setlId: n % 3 == 0 ? "" : "S\(n % 5 + 1)") }

    static func settlement(_ k: Int) -> Settlement {
        L.settlement("S\(k)", fixmedinsCode: k == 5 ? L.otherHospital : L.hospital)
    }

    static func command(_ rng: inout SplitMix64) -> (org: String, record: LedgerRecord) {
        let n = Int.random(in: 1...10, using: &rng)
        let k = Int.random(in: 1...6, using: &rng)
        let invoice = blue(n)
        var ref = L.reference(invoice)
        if Int.random(in: 0..<8, using: &rng) == 0 { ref.checkCode = "WRONG1" }
        let bureau = [L.bureauA, L.bureauB, L.bureauA, L.bureauB, L.foreignBureau].randomElement(using: &rng)!
        let anyone = orgs.randomElement(using: &rng)!
        func likely(_ org: String) -> String { Int.random(in: 0..<6, using: &rng) == 0 ? anyone : org }
        switch Int.random(in: 0..<13, using: &rng) {
        case 0, 1: return (likely(L.platform), Records.issue([invoice])[0])
        case 2:
            var altered = invoice
            altered.busNo += "-X"
            return (L.platform, Records.issue([altered])[0])
        case 3: return (likely(L.platform), Records.reverse(L.red(100 + n, reversing: invoice)))
        case 4: return (likely(L.platform), Records.exchangePaper(PaperExchange(reference: ref, exchangeTime: "2024-03-02 08:00:00")))
        case 5: return (likely(bureau), Records.statusChange(.lock, ref))
        case 6: return (likely(bureau), Records.statusChange(.unlock, ref))
        case 7: return (likely(bureau), Records.statusChange(.recordEntry, ref))
        case 8: return (likely(bureau), Records.statusChange(.revokeEntry, ref))
        case 9:
            let settlement = settlement(k)
            return (likely(settlement.fixmedinsCode), Records.upload([settlement])[0])
        case 10:
            var settlement = settlement(k)
            if Bool.random(using: &rng) { settlement.balc += 1 }  // different content under the same setl_id
            return (likely(settlement.fixmedinsCode), Records.upload([settlement])[0])
        case 11: return (likely([L.hospital, bureau].randomElement(using: &rng)!), Records.revoke(L.revocation(of: settlement(k))))
        default: return (likely(L.hospital), Records.link(ref, setlId: "S\(k)"))
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomCommandSequencesReplayToTheSameState(seed: UInt64) async throws {
        let l = try await L()
        var rng = SplitMix64(seed: seed)
        var landed = 0, refused = 0
        for _ in 0..<60 {
            // A batch of 1 to 4 commands by one org (the first command's).
            let first = Self.command(&rng)
            var records = [first.record]
            for _ in 0..<Int.random(in: 0...3, using: &rng) { records.append(Self.command(&rng).record) }
            for outcome in try await l.submit(first.org, records) {
                switch outcome {
                case .success: landed += 1
                case .failure(let refusal):
                    refused += 1
                    let domainCodes: Set<LedgerError.Code> = [.invalidArgument, .failedPrecondition, .notFound, .alreadyExists, .permissionDenied]
                    #expect(domainCodes.contains(refusal.code), "seed \(seed): \(refusal)")
                }
            }
        }
        #expect(landed > 20 && refused > 20, "seed \(seed): \(landed) landed, \(refused) refused")
        // Cross-checks of the state against itself: links agree both ways with the invoice's setl_id.
        for n in 1...10 {
            let key = Self.blue(n).key
            guard let invoice = try l.service.invoice(key) else { continue }
            if let setlId = try l.service.linkedSettlement(of: key) {
                #expect(invoice.state.setlId == setlId)
                #expect(try l.service.linkedInvoices(of: setlId).contains(key))
                #expect(try l.service.settlement(setlId) != nil)
            } else if !invoice.state.setlId.isEmpty {
                #expect(try l.service.settlement(invoice.state.setlId) == nil, "seed \(seed): \(key) names an uploaded settlement but is not linked")
            }
        }
        try l.verifyFully()
        // And offline, after a restart, from the files alone.
        l.shutdown()
        let report = try LedgerVerifier(directory: l.fixture.directory, expectedNodeKey: l.fixture.nodeKey.publicKey,
                                        stateMachine: InvoiceSettlementRules()).verify()
        #expect(report.isValid, "\(report)")
        #expect(report.stateDatabases == InvoiceSettlementRules().databaseNames.count)
    }
}
