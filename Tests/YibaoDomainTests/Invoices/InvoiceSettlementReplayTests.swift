import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

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
        let n = Int.random(in: 1...6, using: &rng)
        let k = Int.random(in: 1...6, using: &rng)
        let invoice = blue(n)
        var ref = L.reference(invoice)
        if Int.random(in: 0..<8, using: &rng) == 0 { ref.checkCode = "WRONG1" }
        let bureau = [L.bureauA, L.bureauA, L.bureauA, L.bureauB, L.foreignBureau].randomElement(using: &rng)!
        let anyone = orgs.randomElement(using: &rng)!
        func likely(_ org: String) -> String { Int.random(in: 0..<6, using: &rng) == 0 ? anyone : org }
        switch Int.random(in: 0..<16, using: &rng) {
        case 0, 1: return (likely(L.platform), Records.issue([invoice])[0])
        case 2:
            var altered = invoice
            altered.busNo += "-X"
            return (L.platform, Records.issue([altered])[0])
        case 3:
            // Reversal is terminal: kept rare so that the other transitions keep happening.
            guard Int.random(in: 0..<3, using: &rng) == 0 else { return (likely(bureau), Records.statusChange(.unlock, ref)) }
            return (likely(L.platform), Records.reverse(L.red(100 + n, reversing: invoice)))
        case 4: return (likely(L.platform), Records.exchangePaper(PaperExchange(reference: ref, exchangeTime: "2024-03-02 08:00:00")))
        case 5, 13: return (likely(bureau), Records.statusChange(.lock, ref))
        case 6: return (likely(bureau), Records.statusChange(.unlock, ref))
        case 7, 14: return (likely(bureau), Records.statusChange(.recordEntry, ref))
        case 8, 15: return (likely(bureau), Records.statusChange(.revokeEntry, ref))
        case 9:
            let settlement = settlement(k)
            return (likely(settlement.fixmedinsCode), Records.upload([settlement])[0])
        case 10:
            var settlement = settlement(k)
            if Bool.random(using: &rng) { settlement.balc += 1 }  // different content under the same setl_id
            return (likely(settlement.fixmedinsCode), Records.upload([settlement])[0])
        case 11:
            return (likely([L.hospital, bureau].randomElement(using: &rng)!), Records.revoke(L.revocation(of: settlement(k))))
        default:
            // Explicit links are for invoices issued without setl_id (3 and 6).
            var plain = L.reference(blue([3, 6].randomElement(using: &rng)!))
            plain.checkCode = ref.checkCode == "WRONG1" ? ref.checkCode : plain.checkCode
            return (likely(L.hospital), Records.link(plain, setlId: "S\(k)"))
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func randomCommandSequencesReplayToTheSameState(seed: UInt64) async throws {
        let l = try await L()
        var rng = SplitMix64(seed: seed)
        var landed = 0, refused = 0
        var landedKinds = Set<UInt16>()
        for _ in 0..<150 {
            // A batch of 1 to 4 commands signed by the first command's org.
            let first = Self.command(&rng)
            var records = [first.record]
            // More commands meant for the same org (any command, now and then, to mix in a wrong one).
            for _ in 0..<Int.random(in: 0...6, using: &rng) where records.count < 4 {
                let next = Self.command(&rng)
                if next.org == first.org || Int.random(in: 0..<5, using: &rng) == 0 { records.append(next.record) }
            }
            for (record, outcome) in zip(records, try await l.submit(first.org, records)) {
                switch outcome {
                case .success:
                    landed += 1
                    landedKinds.insert(record.kind)
                case .failure(let refusal):
                    refused += 1
                    let domainCodes: Set<LedgerError.Code> = [.invalidArgument, .failedPrecondition, .notFound, .alreadyExists, .permissionDenied]
                    #expect(domainCodes.contains(refusal.code), "seed \(seed): \(refusal)")
                }
            }
        }
        #expect(landed > 30 && refused > 30, "seed \(seed): \(landed) landed, \(refused) refused")
        #expect(landedKinds.count >= 8, "seed \(seed): only kinds \(landedKinds.sorted()) landed")
        // Cross-checks of the state against itself: links agree both ways with the invoice's setl_id.
        for n in 1...6 {
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
                                        stateMachine: InvoiceSettlementRules(),
                                        dataKey: try DataKeyFile.load(directory: l.fixture.directory)).verify()
        #expect(report.isValid, "\(report)")
        #expect(report.stateDatabases == InvoiceSettlementRules().databaseNames.count)
    }

    /// A ledger holding invoice 1 (naming S1), settlements S1 and S2 (S1 linked to it), and the invoice locked.
    static func lockedInvoiceWithItsSettlement() async throws -> (L, Invoice) {
        let l = try await L()
        let blue = L.blue(1, setlId: "S1")
        try await l.landed(L.platform, Records.issue([blue])[0])
        let uploads = try await l.submit(L.hospital, Records.upload([L.settlement("S1"), L.settlement("S2")]))
        #expect(uploads.allSatisfy { (try? $0.get()) != nil })
        try await l.landed(L.bureauA, Records.statusChange(.lock, L.reference(blue)))
        return (l, blue)
    }

    @Test func aStateAlteredBehindTheLedgersBackIsFoundByReplay() async throws {
        let (l, blue) = try await Self.lockedInvoiceWithItsSettlement()
        l.shutdown()
        let directory = l.fixture.directory
        #expect(try LedgerVerifier(directory: directory, stateMachine: InvoiceSettlementRules(),
                                        dataKey: try DataKeyFile.load(directory: directory)).verify().isValid)
        // Unlock the invoice in the state alone.
        let env = try LMDBEnvironment(path: directory)
        let db = try env.database(named: "invoices")
        let key = InvoiceSettlementStateKeys.invoice(blue.key)
        try env.write { txn in
            let stored = try #require(try key.withUnsafeBytes { try txn.get(db, key: $0) }.map { Array($0) })
            var state = try InvoiceState(decoding: stored)
            state.status = .issued
            state.lockingOrg = nil
            try key.withUnsafeBytes { k in try state.encoded.withUnsafeBytes { try txn.put(db, key: k, value: $0) } }
        }
        env.close()
        let report = try LedgerVerifier(directory: directory, stateMachine: InvoiceSettlementRules(),
                                        dataKey: try DataKeyFile.load(directory: directory)).verify()
        #expect(report.firstDivergence?.reason == "state: invoices[\(Hex.encode(key))] differs from its replay from the entries")
    }

    /// A store whose state an older format wrote (no recorded format, the retired databases still there, its
    /// state damaged too) is refused at open; `LedgerStateRebuild` rebuilds the state from the entries, deletes
    /// the retired databases, records the format, and the node then opens it and serves what the entries say.
    /// A store whose entries do not verify is left untouched, and a running node's folder is refused.
    @Test func anOlderStateIsRebuiltFromTheEntriesAndADamagedStoreIsLeftAlone() async throws {
        let (l, blue) = try await Self.lockedInvoiceWithItsSettlement()
        let directory = l.fixture.directory
        let rules = InvoiceSettlementRules()
        let rebuild = LedgerStateRebuild(directory: directory, stateMachine: rules, dataKey: try DataKeyFile.load(directory: directory))
        let running = try #require(throws: LedgerError.self) { try rebuild.run() }
        #expect(DataFolderLock.isHeld(running, directory: directory), "\(running)")
        l.shutdown()

        // Make it look like format 1: no recorded format, the retired databases, no `persons`, a wrong invoice state.
        let env = try LMDBEnvironment(path: directory)
        let schema = try LedgerSchema(env, stateDatabases: rules.databaseNames)
        let invoiceKey = InvoiceSettlementStateKeys.invoice(blue.key)
        try env.write { txn in
            try LedgerSchema.MetaKey.stateFormat.rawValue.withContiguousBytesForKey { _ = try txn.delete(schema.meta, key: $0) }
            try txn.empty(schema.state[PersonStateKeys.database]!)
            try invoiceKey.withUnsafeBytes { _ = try txn.delete(schema.state["invoices"]!, key: $0) }
        }
        for retired in rules.retiredDatabaseNames {
            let db = try env.database(named: retired)
            try env.write { txn in try [UInt8](retired.utf8).withUnsafeBytes { k in try k.withUnsafeBytes { try txn.put(db, key: k, value: $0) } } }
        }
        env.close()
        let refusal = try #require(throws: LedgerError.self) { try l.fixture.reopen() }
        #expect(refusal.code == .failedPrecondition && refusal.message.contains("no recorded format"), "\(refusal)")

        let report = try rebuild.run()
        #expect(report.previousFormat == nil && report.format == rules.stateFormat, "\(report)")
        #expect(Set(report.deletedDatabases) == Set(rules.retiredDatabaseNames), "\(report)")
        #expect(Set(report.keys.keys) == Set(rules.databaseNames) && report.keys[PersonStateKeys.database]! > 0, "\(report)")
        let check = try LMDBEnvironment(path: directory)
        #expect(try rules.retiredDatabaseNames.allSatisfy { try check.existingDatabase(named: $0) == nil })
        check.close()
        let verified = try LedgerVerifier(directory: directory, stateMachine: rules,
                                          dataKey: try DataKeyFile.load(directory: directory)).verify()
        #expect(verified.isValid && verified.stateDatabases == rules.databaseNames.count, "\(verified)")
        try l.fixture.reopen()
        let service = try InvoiceSettlementService(ledger: l.fixture.ledger)
        #expect(try service.invoice(blue.key)?.state.status == .locked)
        #expect(try service.linkedSettlement(of: blue.key) == "S1")

        // An entry altered on disk: the rebuild refuses before it changes anything.
        l.fixture.shutdown()
        let tampered = try LMDBEnvironment(path: directory)
        let entries = try tampered.database(named: "entries")
        let storedInvoices = try tampered.database(named: "invoices")
        try tampered.write { txn in
            var value = try #require(try txn.get(entries, key: UInt64(3)).map { Array($0) })
            value[value.count - 1] ^= 0x01
            try value.withUnsafeBytes { try txn.put(entries, key: UInt64(3), value: $0) }
            try invoiceKey.withUnsafeBytes { _ = try txn.delete(storedInvoices, key: $0) }
        }
        tampered.close()
        let damaged = try #require(throws: LedgerError.self) { try rebuild.run() }
        #expect(damaged.code == .dataLoss && damaged.message.contains("entry 3"), "\(damaged)")
        let after = try LMDBEnvironment(path: directory)
        let invoices = try after.database(named: "invoices")
        #expect(try after.read { txn in try invoiceKey.withUnsafeBytes { try txn.get(invoices, key: $0) } } == nil)
        after.close()
    }
}
