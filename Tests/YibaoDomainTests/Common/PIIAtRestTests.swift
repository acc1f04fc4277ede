import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// The issue's requirement: the raw LMDB files must not hold a test person's ID number (nor name, nor phone) in
/// clear, while every read through the API, the proofs and the offline verification still see the exact records.
@Suite struct PIIAtRestTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    static let certno = DomainFixtures.validCertno
    static let name = "欧阳明华"
    static let phone = "13912345678"

    static func invoice(_ n: Int, setlId: String = "") -> Invoice {
        var invoice = L.blue(n, setlId: setlId)
        invoice.payerName = name
        invoice.payerPhone = phone
        return invoice
    }

    static func settlement(_ setlId: String) -> Settlement {
        var settlement = L.settlement(setlId)
        settlement.psnName = name
        return settlement
    }

    /// Invoices (blue, one reversed by a red one, one locked) and settlements of the person, through a real ledger.
    private struct Written {
        let l: L
        let blues: [Invoice]
        let issueIndexes: [UInt64]
        let uploadIndex: UInt64
    }

    private func writePersonsRecords(configuration: LedgerConfiguration? = nil) async throws -> Written {
        let l = try await L(configuration: configuration)
        let blues = (1...3).map { Self.invoice($0, setlId: $0 == 1 ? "S1" : "") }
        let issued = try await l.submit(L.platform, Records.issue(blues)).map { try $0.get() }
        let upload = try await l.landed(L.hospital, Records.upload([Self.settlement("S1")])[0])
        try await l.landed(L.platform, Records.reverse(L.red(10, reversing: blues[2])))
        try await l.landed(L.bureauA, Records.statusChange(.lock, L.reference(blues[1])))
        return Written(l: l, blues: blues, issueIndexes: issued.map(\.index), uploadIndex: upload.index)
    }

    /// Every file of the store but the key, as one blob.
    static func rawStore(_ directory: String) throws -> Data {
        var all = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where name != DataKeyFile.fileName {
            all += try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        }
        return all
    }

    static func piiFound(in raw: Data) -> [String] {
        [certno, name, phone].filter { raw.range(of: Data($0.utf8)) != nil }
    }

    @Test func theRawFilesHoldNoPIIInClearButReadsDo() async throws {
        let w = try await writePersonsRecords()
        w.l.shutdown()
        let directory = w.l.fixture.directory
        #expect(try Self.rawStore(directory).count > 0)
        #expect(Self.piiFound(in: try Self.rawStore(directory)) == [], "PII in clear in the LMDB files")
        let attributes = try FileManager.default.attributesOfItem(atPath: DataKeyFile.path(in: directory))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 16)

        // Restart: the key is loaded again and every read sees the plain records.
        let ledger = try Ledger(directory: directory, nodeKey: w.l.fixture.nodeKey, configuration: w.l.fixture.configuration)
        defer { ledger.shutdown() }
        let service = try InvoiceSettlementService(ledger: ledger)
        #expect(try service.invoice(w.blues[0].key)?.invoice == w.blues[0])
        #expect(try service.settlement("S1")?.settlement == Self.settlement("S1"))
        let entry = try ledger.entry(at: w.issueIndexes[0])
        #expect(try entry.decoded().payload == w.blues[0].encoded)
        #expect(ledger.hashing.leafHash(entry.bytes) == entry.leafHash)
        #expect(try ledger.inclusionProof(index: entry.index).rootFromLeafHash(entry.leafHash) == ledger.root())
        #expect(try Settlement(decoding: ledger.entry(at: w.uploadIndex).decoded().payload).certno == Self.certno)

        // Look-ups by ID number go through the keyed index (a lower-case check character is the same person).
        let keys = [w.blues[0].key, w.blues[1].key, w.blues[2].key, L.key(10)]
        #expect(try service.invoices(ofPayer: Self.certno) == keys)
        #expect(try service.invoices(ofPayer: Self.certno.lowercased()) == keys)
        #expect(try service.settlements(ofPerson: Self.certno) == ["S1"])
        #expect(try service.settlements(ofPerson: "110105194912310037") == [])
        #expect(try ledger.verify().isValid)
    }

    /// The same records with entry sealing switched off: the search does find the number in the entries, so
    /// the test above would notice a leak.
    @Test func withoutEntryPrivacyTheSearchFindsTheNumber() async throws {
        var configuration = InvoiceSettlementService.configuration(LedgerFixture.fastConfiguration())
        configuration.entryPrivacy = nil
        let w = try await writePersonsRecords(configuration: configuration)
        w.l.shutdown()
        #expect(Self.piiFound(in: try Self.rawStore(w.l.fixture.directory)) == [Self.certno, Self.name, Self.phone])
    }

    @Test func verifyNeedsTheDataKey() async throws {
        let w = try await writePersonsRecords()
        w.l.shutdown()
        let directory = w.l.fixture.directory
        let withKey = try LedgerVerifier(directory: directory, expectedNodeKey: w.l.fixture.nodeKey.publicKey,
                                         stateMachine: InvoiceSettlementRules(),
                                         dataKey: try DataKeyFile.load(directory: directory)).verify()
        #expect(withKey.isValid, "\(withKey)")
        #expect(withKey.stateDatabases == InvoiceSettlementRules().databaseNames.count)

        let withoutKey = LedgerVerifier(directory: directory, stateMachine: InvoiceSettlementRules())
        let refusal = try #require(throws: LedgerError.self) { try withoutKey.verify() }
        #expect(refusal.code == .failedPrecondition)
        #expect(refusal.message.hasPrefix("entries are sealed; the data key is needed"), "\(refusal)")

        let wrongKey = LedgerVerifier(directory: directory, stateMachine: InvoiceSettlementRules(),
                                      dataKey: try NodeDataKey(NodeDataKey.random()))
        let mismatch = try #require(throws: LedgerError.self) { try wrongKey.verify() }
        #expect(mismatch.message.contains("is not the key this ledger's PII is sealed with"), "\(mismatch)")
    }

    @Test func aWrongOrMissingDataKeyRefusesToOpen() async throws {
        let w = try await writePersonsRecords()
        w.l.shutdown()
        let f = w.l.fixture
        let path = DataKeyFile.path(in: f.directory)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        func open() throws { try Ledger(directory: f.directory, nodeKey: f.nodeKey, configuration: f.configuration).shutdown() }

        try FileManager.default.removeItem(atPath: path)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(NodeDataKey.random()),
                                               attributes: [.posixPermissions: 0o600]))
        #expect(throws: LedgerError(.failedPrecondition,
                                    "the data key \(path) is not the key this ledger's PII is sealed with (its check value differs)")) {
            try open()
        }
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: LedgerError(.failedPrecondition, "this ledger seals PII with a data key, but \(path) is missing; restore it")) {
            try open()
        }
        #expect(!FileManager.default.fileExists(atPath: path), "a missing key is not silently replaced")
        #expect(FileManager.default.createFile(atPath: path, contents: original, attributes: [.posixPermissions: 0o644]))
        #expect(throws: LedgerError(.failedPrecondition, "\(path) may be read by others (mode 644); it must be 600")) {
            try open()
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try open()
    }

    /// Rewrites one stored value in place, as an attacker with file access would.
    private func alter(_ directory: String, database: String, key: [UInt8], _ change: (inout [UInt8]) throws -> Void) throws {
        let env = try LMDBEnvironment(path: directory)
        defer { env.close() }
        let db = try env.database(named: database)
        try env.write { txn in
            var value = try key.withUnsafeBytes { k in Array(try #require(try txn.get(db, key: k))) }
            try change(&value)
            try key.withUnsafeBytes { k in try value.withUnsafeBytes { try txn.put(db, key: k, value: $0) } }
        }
    }

    private static func u64Key(_ index: UInt64) -> [UInt8] { withUnsafeBytes(of: index.bigEndian) { Array($0) } }

    private func verifyOffline(_ f: LedgerFixture) throws -> LedgerVerifier.Report {
        try f.verify()
    }

    @Test func aTamperedSealedSectionIsNamedByIndex() async throws {
        let w = try await writePersonsRecords()
        w.l.shutdown()
        let f = w.l.fixture
        let victim = w.issueIndexes[1]
        try alter(f.directory, database: "entries", key: Self.u64Key(victim)) { value in
            #expect(value[8] == RangeSealedBytes.marker, "the invoice's entry is stored sealed")
            value[value.count - 40] ^= 0x01  // inside the sealed box (the PII section is the entry's tail)
        }
        let report = try verifyOffline(f)
        #expect(report.firstDivergence?.index == victim, "\(report)")
        #expect(report.firstDivergence?.reason.contains("its sealed PII section does not open") == true, "\(report)")
        #expect(report.entries == victim, "everything before the altered entry checked out")

        let ledger = try Ledger(directory: f.directory, nodeKey: f.nodeKey, configuration: f.configuration)
        defer { ledger.shutdown() }
        let refusal = try #require(throws: LedgerError.self) { try ledger.entry(at: victim) }
        #expect(refusal.code == .dataLoss && refusal.message.hasPrefix("entry \(victim): its sealed PII section does not open"))
    }

    /// Two entries of the same person have sealed boxes of one length; exchanged, neither opens, because each box
    /// is bound to its entry's transaction hash.
    @Test func sealedSectionsCannotBeSwappedBetweenEntries() async throws {
        let w = try await writePersonsRecords()
        w.l.shutdown()
        let f = w.l.fixture
        let (a, b) = (w.issueIndexes[1], w.issueIndexes[2])
        var boxes: [[UInt8]] = []
        for index in [a, b] {
            try alter(f.directory, database: "entries", key: Self.u64Key(index)) { value in
                let count = Int(value[13..<17].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                boxes.append(Array(value.suffix(count + SM4SealingKey.overhead)))
            }
        }
        try #require(boxes.count == 2 && boxes[0].count == boxes[1].count && boxes[0] != boxes[1])
        for (index, box) in [(a, boxes[1]), (b, boxes[0])] {
            try alter(f.directory, database: "entries", key: Self.u64Key(index)) { value in
                value.replaceSubrange((value.count - box.count)..., with: box)
            }
        }
        let report = try verifyOffline(f)
        #expect(report.firstDivergence?.index == a, "\(report)")
        #expect(report.firstDivergence?.reason.contains("its sealed PII section does not open") == true)
    }

    /// A record's state only points at the entry holding it; pointed elsewhere, reads refuse it as data loss and
    /// replay finds it.
    @Test func aStateRecordPointedAtAnotherEntryIsDataLossAndFoundByReplay() async throws {
        let w = try await writePersonsRecords()
        w.l.shutdown()
        let f = w.l.fixture
        let key = InvoiceSettlementStateKeys.invoice(w.blues[0].key)
        let other = InvoiceSettlementStateKeys.invoice(w.blues[1].key)
        var otherIndex: [UInt8] = []
        try alter(f.directory, database: "invoice_records", key: other) { value in otherIndex = value }
        try alter(f.directory, database: "invoice_records", key: key) { value in
            #expect(value.count == 8, "the record is the index of its entry, not a copy")
            value = otherIndex
        }
        let report = try verifyOffline(f)
        #expect(report.firstDivergence?.reason == "state: invoice_records[\(Hex.encode(key))] differs from its replay from the entries")

        let ledger = try Ledger(directory: f.directory, nodeKey: f.nodeKey, configuration: f.configuration)
        defer { ledger.shutdown() }
        let refusal = try #require(throws: LedgerError.self) { try InvoiceSettlementService(ledger: ledger).invoice(w.blues[0].key) }
        #expect(refusal.code == .dataLoss, "\(refusal)")
        #expect(refusal.message.contains("holds invoice \(w.blues[1].key)"), "\(refusal)")
        #expect(try InvoiceSettlementService(ledger: ledger).invoice(w.blues[1].key)?.invoice == w.blues[1])
    }

    /// Restarts in the middle of a person's history: the reopened node loads its key, reads and extends the
    /// sealed records, and the whole store still verifies (state replayed byte for byte, sealed deterministically).
    @Test func restartsKeepWorking() async throws {
        let w = try await writePersonsRecords()
        let f = w.l.fixture
        try f.reopen()
        let service = try InvoiceSettlementService(ledger: f.ledger)
        #expect(try service.invoice(w.blues[1].key)?.invoice == w.blues[1])
        // A new settlement and invoice for the person after the restart.
        let upload = try SignedBatch.signing(org: L.hospital, requestId: "after-restart",
                                             records: Records.upload([Self.settlement("S2")]), key: f.orgKey)
        #expect(try await f.ledger.submit(upload).allSatisfy { (try? $0.get()) != nil })
        try f.reopen()
        let reopened = try InvoiceSettlementService(ledger: f.ledger)
        #expect(try reopened.settlements(ofPerson: Self.certno) == ["S1", "S2"])
        #expect(try reopened.settlement("S2")?.settlement.psnName == Self.name)
        let live = try f.verify()
        #expect(live.isValid, "\(live)")
        f.shutdown()
        let offline = try f.verify()
        #expect(offline.isValid && offline.stateDatabases == InvoiceSettlementRules().databaseNames.count, "\(offline)")
        #expect(Self.piiFound(in: try Self.rawStore(f.directory)) == [])
    }
}
