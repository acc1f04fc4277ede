import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

/// A minimal rule set to exercise the engine's state-machine hook: an org claims a key; a key has one owner.
/// Claiming your own key again is an idempotent repeat; claiming another org's key is refused.
struct ClaimRules: LedgerStateMachine {
    static let claim = EntryKind(200, "claim")
    var format: UInt64 = 1
    var databaseNames: [String] { ["claims"] }
    var stateFormat: UInt64 { format }
    var kinds: [EntryKind] { [Self.claim] }

    func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity, scope: Void,
               dataKey: NodeDataKey?) -> Result<Void?, LedgerError> {
        record.payload.count <= 64 ? .success(nil)
            : .failure(LedgerError(.invalidArgument, "records[\(position)].payload: a key is at most 64 bytes"))
    }

    func apply(_ record: AppliedRecord, admitted: Void?, in state: StateTransaction) throws -> ApplyOutcome {
        let db = state.database("claims")
        let owner: (org: String, index: UInt64)? = try record.payload.withUnsafeBytes { key in
            guard let value = try state.txn.get(db, key: key) else { return nil }
            let index = UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))
            return (String(decoding: value.dropFirst(8), as: UTF8.self), index)
        }
        if let owner {
            if owner.org == record.org.code { return .alreadyRecorded(index: owner.index) }
            throw LedgerError(.failedPrecondition, "key is CLAIMED by \(owner.org) at entry \(owner.index)")
        }
        var value = withUnsafeBytes(of: record.index.bigEndian) { Array($0) }
        value += Array(record.org.code.utf8)
        try record.payload.withUnsafeBytes { key in try value.withUnsafeBytes { try state.txn.put(db, key: key, value: $0) } }
        return .append
    }
}

@Suite struct LedgerStateMachineTests {
    static func configuration() -> LedgerConfiguration {
        var c = LedgerFixture.fastConfiguration()
        c.stateMachine = ClaimRules()
        return c
    }

    /// A store keeps the state format it was written in; rules with another layout refuse to open it instead of
    /// misreading it, and so do rules opening a store written without them.
    @Test func aStoreInAnotherStateFormatIsRefusedAtOpen() async throws {
        let f = try await LedgerFixture(configuration: Self.configuration())
        defer { f.shutdown() }
        f.ledger.shutdown()
        var newer = Self.configuration()
        newer.stateMachine = ClaimRules(format: 2)
        let refusal = try #require(throws: LedgerError.self) {
            try Ledger(directory: f.directory, nodeKey: f.nodeKey, configuration: newer)
        }
        #expect(refusal.code == .failedPrecondition)
        #expect(refusal.message.contains("format 1") && refusal.message.contains("state format 2"), "\(refusal.message)")
        try f.reopen()  // the same rules still open it
        #expect(f.ledger.treeSize >= 2)
        f.ledger.shutdown()
        // Rebuilding it with older rules would drop what only the newer ones replay: refused, nothing changed.
        var older = ClaimRules()
        older.format = 0
        let downgrade = try #require(throws: LedgerError.self) {
            try LedgerStateRebuild(directory: f.directory, stateMachine: older, dataKey: try DataKeyFile.load(directory: f.directory)).run()
        }
        #expect(downgrade.code == .failedPrecondition && downgrade.message.contains("newer than this version's format 0"), "\(downgrade)")
        try f.reopen()

        let plain = try await LedgerFixture()
        defer { plain.shutdown() }
        plain.ledger.shutdown()
        let unmarked = try #require(throws: LedgerError.self) {
            try Ledger(directory: plain.directory, nodeKey: plain.nodeKey, configuration: Self.configuration())
        }
        #expect(unmarked.code == .failedPrecondition && unmarked.message.contains("no recorded format"), "\(unmarked.message)")
    }

    private func claims(_ f: LedgerFixture, org: String, key: SM2PrivateKey, _ keys: [String]) throws -> SignedBatch {
        try SignedBatch.signing(org: org, requestId: UUID().uuidString,
                                records: keys.map { LedgerRecord(kind: ClaimRules.claim, payload: Array($0.utf8)) }, key: key)
    }

    @Test func rulesRefuseRecordsAloneAndRepeatsGetTheOriginalReceipt() async throws {
        let f = try await LedgerFixture(configuration: Self.configuration())
        defer { f.shutdown() }
        let rival = SM2PrivateKey()
        try await f.ledger.registerOrg(code: "B", role: "bank", publicKey: rival.publicKey)
        let first = try await f.ledger.submit(try claims(f, org: LedgerFixture.org, key: f.orgKey, ["k1", "k2"]))
        let k1 = try first[0].get()
        let mixed = try await f.ledger.submit(try claims(f, org: "B", key: rival, ["k1", "k3", String(repeating: "x", count: 65)]))
        guard case .failure(let taken) = mixed[0], case .failure(let tooLong) = mixed[2] else {
            Issue.record("k1 and the long key must be refused")
            return
        }
        #expect(taken == LedgerError(.failedPrecondition, "key is CLAIMED by \(LedgerFixture.org) at entry \(k1.index)"))
        #expect(tooLong == LedgerError(.invalidArgument, "records[2].payload: a key is at most 64 bytes"))
        #expect((try? mixed[1].get()) != nil)
        // The owner claiming again: no new entry, the original receipt.
        let size = f.ledger.treeSize
        let again = try await f.ledger.submit(try claims(f, org: LedgerFixture.org, key: f.orgKey, ["k1"]))
        #expect(try again[0].get().index == k1.index)
        #expect(try again[0].get().transactionHash == k1.transactionHash)
        // The size right after the commit that holds the original (its seal), not the ledger's size now.
        #expect(try again[0].get().treeSize == k1.treeSize)
        #expect(try again[0].get().commitTimeMs == k1.commitTimeMs)
        #expect(f.ledger.treeSize == size)
        // A key repeated inside one batch shares the batch's commit: both receipts name its seal.
        let twice = try await f.ledger.submit(try claims(f, org: LedgerFixture.org, key: f.orgKey, ["k4", "k4"]))
        let k4 = try twice[0].get()
        #expect(try twice[1].get() == k4)
        #expect(k4.treeSize == k4.index + 2, "one record and its seal: \(k4)")
        let report = try f.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.stateDatabases == 1)
    }

    @Test func racingOrgsGetExactlyOneWinnerPerKey() async throws {
        let f = try await LedgerFixture(configuration: Self.configuration())
        defer { f.shutdown() }
        let rival = SM2PrivateKey()
        try await f.ledger.registerOrg(code: "B", role: "bank", publicKey: rival.publicKey)
        let keys = (0..<200).map { "invoice-\($0)" }
        let ledger = f.ledger
        // Each key claimed by both orgs at once, one key per request, all in flight together.
        let a = try keys.map { try claims(f, org: LedgerFixture.org, key: f.orgKey, [$0]) }
        let b = try keys.map { try claims(f, org: "B", key: rival, [$0]) }
        let results = try await withThrowingTaskGroup(of: (String, String, Bool).self) { group in
            for (i, key) in keys.enumerated() {
                group.addTask { (key, LedgerFixture.org, (try? await ledger.submit(a[i])[0].get()) != nil) }
                group.addTask { (key, "B", (try? await ledger.submit(b[i])[0].get()) != nil) }
            }
            return try await group.reduce(into: [(String, String, Bool)]()) { $0.append($1) }
        }
        for key in keys {
            let winners = results.filter { $0.0 == key && $0.2 }
            #expect(winners.count == 1, "\(key): \(winners.count) winners")
        }
        let report = try f.verify()
        #expect(report.isValid, "\(report)")
    }

    @Test func stateAlteredUnderneathIsFoundByReplay() async throws {
        let f = try await LedgerFixture(configuration: Self.configuration())
        _ = try await f.ledger.submit(try claims(f, org: LedgerFixture.org, key: f.orgKey, ["k1", "k2", "k3"]))
        f.shutdown()
        #expect(try LedgerVerifier(directory: f.directory, stateMachine: ClaimRules()).verify().isValid)
        // Hand k2 to another org behind the ledger's back.
        let env = try LMDBEnvironment(path: f.directory)
        let db = try env.database(named: "claims")
        try env.write { txn in
            var value = Array(try #require(try Array("k2".utf8).withUnsafeBytes { try txn.get(db, key: $0) }))
            value[value.count - 1] ^= 1
            try Array("k2".utf8).withUnsafeBytes { k in try value.withUnsafeBytes { try txn.put(db, key: k, value: $0) } }
        }
        env.close()
        let report = try LedgerVerifier(directory: f.directory, stateMachine: ClaimRules()).verify()
        #expect(report.firstDivergence?.reason == "state: claims[\(Hex.encode(Array("k2".utf8)))] differs from its replay from the entries")
    }
}

@Suite struct OrgRotationTests {
    /// Keys rotate while batches signed with the outgoing key are in flight. Each batch lands (written before the
    /// rotation), or is refused (admitted before, written after it; or signed with a key no longer registered),
    /// and whatever landed verifies offline against the key registered before its seal.
    @Test func batchesRacingAKeyRotationNeverBreakVerification() async throws {
        let f = try await LedgerFixture(configuration: LedgerStateMachineTests.configuration())
        defer { f.shutdown() }
        let ledger = f.ledger
        var key = f.orgKey
        var landed = 0, refused = 0
        for round in 0..<30 {
            let batch = try SignedBatch.signing(org: LedgerFixture.org, requestId: "rotation-\(round)",
                                                records: [LedgerRecord(kind: ClaimRules.claim, payload: Array("key-\(round)".utf8))],
                                                key: key)
            let next = SM2PrivateKey()
            async let write: Result<[RecordOutcome], Error> = { () async -> Result<[RecordOutcome], Error> in
                do { return .success(try await ledger.submit(batch)) } catch { return .failure(error) }
            }()
            _ = try await ledger.registerOrg(code: LedgerFixture.org, role: "hospital", publicKey: next.publicKey)
            switch await write {
            case .success(let outcomes):
                if (try? outcomes[0].get()) != nil { landed += 1 } else { refused += 1 }
            case .failure(let error):
                #expect((error as? LedgerError)?.code == .unauthenticated, "\(error)")
                refused += 1
            }
            key = next
        }
        print("rotation race: \(landed) landed, \(refused) refused")
        let report = try f.verify()
        #expect(report.isValid, "\(report)")
    }
}
