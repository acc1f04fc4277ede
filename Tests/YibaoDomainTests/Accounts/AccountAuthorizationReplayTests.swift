import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// Property: seeded random sequences mixing invoices and settlements of three persons with grants, revocations
/// and usage records (valid or not, by any org, in small batches) leave a state that replays byte for byte, online
/// and offline after a restart; every refusal is a domain refusal; the accounts agree with their record lists.
@Suite struct AccountAuthorizationReplayTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords
    typealias A = DigitalAccountTests

    static let channels = ["C1", "C2"]
    static let persons = [A.certno, A.otherCertno, "46010619850505002" + String(ResidentIDNumber.checkCharacter(forFirst17: "46010619850505002")!)]
    static let orgs = [L.hospital, L.otherHospital, L.platform, L.bureauA, L.auditor] + channels

    /// Invoice `n` always has the same content and belongs to person `n % 3`; a few name a settlement.
    static func invoice(_ n: Int) -> Invoice {
        var invoice = A.invoice(n, payer: persons[n % 3], setlId: n % 4 == 0 ? "S\(n % 3)" : "")
        if n == 7 { invoice.payerType = .organization }
        return invoice
    }

    static func settlement(_ p: Int) -> Settlement {
        var settlement = L.settlement("S\(p)")
        settlement.certno = persons[p]
        settlement.psnNo = "4600001234567\(p)"
        return settlement
    }

    final class World: @unchecked Sendable {
        var grants: [Digest32] = []
        var rng: SplitMix64
        init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    }

    static func command(_ world: World, now: UInt64) -> (org: String, record: LedgerRecord, isGrant: Bool) {
        let hour: UInt64 = 3_600_000
        let n = Int.random(in: 1...9, using: &world.rng)
        let p = Int.random(in: 0..<3, using: &world.rng)
        let anyone = orgs.randomElement(using: &world.rng)!
        let channel = channels.randomElement(using: &world.rng)!
        func likely(_ org: String) -> String { Int.random(in: 0..<6, using: &world.rng) == 0 ? anyone : org }
        func someGrant() -> Digest32 {
            world.grants.randomElement(using: &world.rng) ?? Digest32(bytes: [UInt8](repeating: 1, count: 32))!
        }
        switch Int.random(in: 0..<10, using: &world.rng) {
        case 0, 1: return (likely(L.platform), Records.issue([invoice(n)])[0], false)
        case 2: return (likely(L.hospital), Records.upload([settlement(p)])[0], false)
        case 3: return (likely(L.platform), Records.reverse(L.red(100 + n, reversing: invoice(n))), false)
        case 4, 5:
            let scope: GrantScope = Bool.random(using: &world.rng) ? .allInvoices : .namedInvoices
            let named = scope == .allInvoices ? [] : [L.reference(invoice(n))]
            let from = now - hour + UInt64.random(in: 0...hour, using: &world.rng)
            let grant = AuthorizationGrant(certno: persons[p], channel: channel, scope: scope, invoices: named,
                                           validFromMs: from, validUntilMs: from + hour)
            return (likely([L.platform, L.bureauA].randomElement(using: &world.rng)!), AuthorizationRecords.grant(grant), true)
        case 6:
            let revocation = GrantRevocation(grantId: someGrant(), certno: persons[Int.random(in: 0..<4, using: &world.rng) % 3])
            return (likely(L.platform), AuthorizationRecords.revoke(revocation), false)
        default:
            let usage = GrantUsage(grantId: someGrant(), invoice: invoice(n).key, readTimeMs: now)
            return (likely(channel), AuthorizationRecords.recordUsage(usage), false)
        }
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func randomSequencesWithAccountsAndGrantsReplay(seed: UInt64) async throws {
        let l = try await L()
        for channel in Self.channels { try await l.register(channel, role: .channel) }
        let world = World(seed: seed)
        var landedKinds = Set<UInt16>()
        var landed = 0, refused = 0
        for _ in 0..<120 {
            let now = AuthorizationGrantTests.now()
            let first = Self.command(world, now: now)
            var commands = [first]
            for _ in 0..<Int.random(in: 0...3, using: &world.rng) {
                let next = Self.command(world, now: now)
                if next.org == first.org { commands.append(next) }
            }
            for (command, outcome) in zip(commands, try await l.submit(first.org, commands.map(\.record))) {
                switch outcome {
                case .success(let receipt):
                    landed += 1
                    landedKinds.insert(command.record.kind)
                    if command.isGrant { world.grants.append(receipt.transactionHash) }
                case .failure(let refusal):
                    refused += 1
                    let domainCodes: Set<LedgerError.Code> = [.invalidArgument, .failedPrecondition, .notFound, .alreadyExists, .permissionDenied]
                    #expect(domainCodes.contains(refusal.code), "seed \(seed): \(refusal)")
                }
            }
        }
        #expect(landed > 20 && refused > 20, "seed \(seed): \(landed) landed, \(refused) refused")
        for kind in EntryKind.authorizationKinds + [.invoiceIssued, .settlementUploaded] {
            #expect(landedKinds.contains(kind.rawValue), "seed \(seed): no \(kind) landed")
        }
        // Each account's counts agree with its record list, which is newest first.
        for certno in Self.persons {
            guard let account = try l.service.account(certno: certno) else { continue }
            let records = try l.service.accountRecords(certno: certno, pageSize: InvoiceSettlementService.maxAccountPage).records
            #expect(UInt64(records.count) == account.invoices + account.settlements)
            #expect(records.map(\.index) == records.map(\.index).sorted(by: >))
            #expect(records.first?.index == account.latestIndex && records.last?.index == account.openedIndex)
            for grant in try l.service.listGrants(certno: certno) {
                #expect(try l.service.listUsage(grant: grant.id).count == Int(grant.usages))
            }
        }
        try l.verifyFully()
        l.shutdown()
        let report = try LedgerVerifier(directory: l.fixture.directory, expectedNodeKey: l.fixture.nodeKey.publicKey,
                                        stateMachine: InvoiceSettlementRules(),
                                        dataKey: try DataKeyFile.load(directory: l.fixture.directory)).verify()
        #expect(report.isValid, "\(report)")
        #expect(report.stateDatabases == InvoiceSettlementRules().databaseNames.count)
    }

    @Test func aRevokedGrantRevivedBehindTheLedgersBackIsFoundByReplay() async throws {
        let l = try await L()
        try await l.register("C1", role: .channel)
        try await l.landed(L.platform, Records.issue([A.invoice(1)])[0])
        let now = AuthorizationGrantTests.now()
        let id = try await l.service.grant(try l.signed(L.platform, [AuthorizationGrantTests.grant(.allInvoices, from: now, until: now + 3_600_000)]))
        try await l.service.revokeGrant(try l.signed(L.platform, [AuthorizationRecords.revoke(GrantRevocation(grantId: id, certno: A.certno))]))
        l.shutdown()
        let directory = l.fixture.directory
        #expect(try LedgerVerifier(directory: directory, stateMachine: InvoiceSettlementRules(),
                                      dataKey: try DataKeyFile.load(directory: directory)).verify().isValid)
        let env = try LMDBEnvironment(path: directory)
        let db = try env.database(named: AuthorizationStore.grants)
        try env.write { txn in
            let stored = try #require(try id.bytes.withUnsafeBytes { try txn.get(db, key: $0) }.map { Array($0) })
            var grant = try AuthorizationGrantState(decoding: stored)
            grant.status = .live
            grant.revokedIndex = nil
            grant.revokingOrg = nil
            try id.bytes.withUnsafeBytes { k in try grant.encoded.withUnsafeBytes { try txn.put(db, key: k, value: $0) } }
        }
        env.close()
        let report = try LedgerVerifier(directory: directory, stateMachine: InvoiceSettlementRules(),
                                      dataKey: try DataKeyFile.load(directory: directory)).verify()
        #expect(report.firstDivergence?.reason == "state: grants[\(id.hex)] differs from its replay from the entries")
    }
}
