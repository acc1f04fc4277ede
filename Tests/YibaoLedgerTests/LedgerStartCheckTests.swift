import CLMDB
import Foundation
import Testing
import YibaoCrypto
import YibaoLedgerTestSupport
@testable import YibaoLedger

/// What each start check covers (`LedgerStartCheck`), and `LMDBFileCheck` on files LMDB must not map.
@Suite struct LedgerStartCheckTests {
    /// A stopped store of 1,200 attestations, so that its first entries lie outside the quick check's window.
    private func storeBeyondTheQuickWindow() async throws -> LedgerFixture {
        let f = try await LedgerFixture()
        for round in 0..<3 {
            _ = try await f.submit((0..<400).map { LedgerFixture.payload(round * 400 + $0) })
        }
        f.shutdown()
        #expect(f.ledger.treeSize > LedgerStartCheck.quickEntries + 10)
        return f
    }

    /// Flips the last byte of entry `index` through LMDB, as a disk error would.
    private func alterEntry(_ directory: String, _ index: UInt64) throws {
        let env = try LMDBEnvironment(path: directory)
        defer { env.close() }
        let db = try env.database(named: "entries")
        try env.write { txn in
            var value = Array(try #require(try txn.get(db, key: index)))
            value[value.count - 1] ^= 0x01
            try value.withUnsafeBytes { try txn.put(db, key: index, value: $0) }
        }
    }

    private func open(_ f: LedgerFixture, _ mode: LedgerStartCheckMode) throws -> Ledger {
        var configuration = f.configuration
        configuration.startCheck = mode
        return try Ledger(directory: f.directory, nodeKey: f.nodeKey, configuration: configuration)
    }

    @Test func anOldEntryIsLeftToTheReadsByQuickAndFoundByFull() async throws {
        let f = try await storeBeyondTheQuickWindow()
        let victim: UInt64 = 5
        try alterEntry(f.directory, victim)

        let quick = try open(f, .quick)
        #expect(quick.damage == nil, "entry \(victim) lies before the newest \(LedgerStartCheck.quickEntries)")
        #expect(quick.startCheck.mode == .quick)
        let read = #expect(throws: LedgerError.self) { try quick.entry(at: victim) }
        #expect(read?.code == .dataLoss && read?.message.hasPrefix("entry \(victim): its stored bytes do not hash") == true,
                "\(String(describing: read))")
        #expect(quick.damage?.foundBy == .read)
        let refused = await #expect(throws: LedgerError.self) { try await quick.submit(try f.batch([LedgerFixture.payload(9_999)])) }
        #expect(refused?.code == .dataLoss)
        quick.shutdown()

        let full = try open(f, .full)
        defer { full.shutdown() }
        #expect(full.damage?.foundBy == .startCheck)
        #expect(full.damage?.error.message.contains("start check (full): entry \(victim):") == true, "\(String(describing: full.damage))")
        #expect(full.latestTreeHead == nil, "a damaged store's newest head is not vouched for")
        #expect(throws: LedgerError.self) { try full.checkedLatestTreeHead() }
    }

    @Test func aNewEntryIsFoundByQuickButNotByOff() async throws {
        let f = try await storeBeyondTheQuickWindow()
        let victim = f.ledger.treeSize - 3
        try alterEntry(f.directory, victim)
        let off = try open(f, .off)
        #expect(off.damage == nil)
        #expect(off.latestTreeHead != nil, "the newest head itself is intact and checked")
        off.shutdown()
        let quick = try open(f, .quick)
        defer { quick.shutdown() }
        #expect(quick.damage?.error.message.contains("start check (quick): entry \(victim):") == true, "\(String(describing: quick.damage))")
    }

    @Test func anIntactStorePassesEveryCheck() async throws {
        let f = try await storeBeyondTheQuickWindow()
        for mode in LedgerStartCheckMode.allCases {
            let ledger = try open(f, mode)
            #expect(ledger.damage == nil, "\(mode)")
            #expect(ledger.latestTreeHead?.head.treeSize == ledger.treeSize)
            _ = try await ledger.submit(try f.batch([LedgerFixture.payload(Int(ledger.treeSize))]))
            ledger.shutdown()
        }
    }

    @Test func shortOrForeignFilesAreRefusedBeforeMapping() async throws {
        let f = try await storeBeyondTheQuickWindow()
        let path = f.directory + "/data.mdb"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        func refusal(_ bytes: Data) throws -> String? {
            try bytes.write(to: URL(fileURLWithPath: path))
            do {
                try LMDBFileCheck(directory: f.directory).check()
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(try refusal(original) == nil)
        // One page short of what the meta pages claim.
        #expect(try refusal(original.prefix(original.count - 4096))?.contains("the file is truncated") == true)
        #expect(try refusal(original.prefix(100))?.contains("too short to hold LMDB's two meta pages") == true)
        #expect(try refusal(Data(repeating: 0x41, count: original.count))?.contains("is not an LMDB meta page") == true)
        // The ledger refuses the short file in those words rather than mapping it.
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: LMDBFileCheck.Damage.self) { try Ledger(directory: f.directory, nodeKey: f.nodeKey, configuration: f.configuration) }
    }
}
