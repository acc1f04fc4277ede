import CLMDB
import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

/// Changes made underneath the ledger, straight into LMDB, are found by `verify` and named by index.
@Suite struct LedgerTamperTests {
    /// A store of a few batches, shut down, ready to be altered.
    private func storeWithEntries() async throws -> LedgerFixture {
        let f = try await LedgerFixture()
        for round in 0..<4 {
            _ = try await f.submit((0..<8).map { LedgerFixture.payload(round * 8 + $0, size: 200) })
        }
        f.shutdown()
        let clean = try f.verify()
        #expect(clean.isValid, "\(clean)")
        return f
    }

    /// Rewrites one stored value in place, as an attacker with file access would.
    private func alter(_ directory: String, database: String, key: UInt64, _ change: (inout [UInt8]) -> Void) throws {
        let env = try LMDBEnvironment(path: directory)
        defer { env.close() }
        let db = try env.database(named: database)
        try env.write { txn in
            var value = Array(try #require(try txn.get(db, key: key)))
            change(&value)
            try value.withUnsafeBytes { try txn.put(db, key: key, value: $0) }
        }
    }

    @Test func oneChangedByteInOneEntryIsNamedByIndex() async throws {
        let f = try await storeWithEntries()
        let victim: UInt64 = 17
        try alter(f.directory, database: "entries", key: victim) { value in value[value.count - 5] ^= 0x01 }
        let report = try f.verify()
        #expect(!report.isValid)
        #expect(report.firstDivergence?.index == victim)
        #expect(report.firstDivergence?.reason.contains("do not hash to the stored Merkle leaf") == true)
        #expect(report.entries == victim, "everything before the altered entry checked out")
    }

    @Test func rewritingEntryAndLeafTogetherIsCaughtAboveIt() async throws {
        let f = try await storeWithEntries()
        // Records of the first batch sit at 2...9. Leaf 4 completes no parent; leaf 5 completes (level 1, index 2).
        let victim: UInt64 = 4
        var newLeaf = Digest32.zero
        try alter(f.directory, database: "entries", key: victim) { value in
            value[value.count - 1] ^= 0xff
            newLeaf = MerkleHashing(.sm3).leafHash(Array(value.dropFirst(8)))
        }
        try alter(f.directory, database: "merkle", key: victim) { value in
            newLeaf.withUnsafeBytes { value.replaceSubrange(0..<32, with: $0) }
        }
        let report = try f.verify()
        #expect(report.firstDivergence?.index == victim + 1)
        #expect(report.firstDivergence?.reason == "the stored Merkle node (level 1, index 2) does not match its recomputation")
    }

    @Test func aForgedTreeHeadSignatureIsFound() async throws {
        let f = try await storeWithEntries()
        try alter(f.directory, database: "heads", key: 1) { value in value[value.count - 3] ^= 0x10 }
        let report = try f.verify()
        #expect(report.firstDivergence?.index == 0)
        #expect(report.firstDivergence?.reason.contains("signature on the tree head at size 1") == true)
    }

    @Test func aSealWithAnAlteredSignatureIsFound() async throws {
        let f = try await storeWithEntries()
        // The first batch: 8 records at 2...9, its seal at 10. Change the seal, keep its leaf consistent.
        let sealIndex: UInt64 = 10
        let seal = try { () -> StoredEntry in
            let ledger = try Ledger(directory: f.directory, nodeKey: f.nodeKey)
            defer { ledger.shutdown() }
            return try ledger.entry(at: sealIndex)
        }()
        #expect(try seal.decoded().kindNumber == EntryKind.batchSeal.rawValue)
        try alter(f.directory, database: "entries", key: sealIndex) { value in value[value.count - 2] ^= 0x40 }
        let report = try f.verify()
        #expect(report.firstDivergence?.index == sealIndex)
    }
}
