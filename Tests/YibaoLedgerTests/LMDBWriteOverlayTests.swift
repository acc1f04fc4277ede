import Foundation
import Testing
import YibaoLedgerTestSupport
@testable import YibaoLedger

/// The writer's pipelined view (`LMDBWriteOverlay`) against the plain model of what a store holds: random puts,
/// deletes, reads and scans over two layers and a real LMDB snapshot must answer exactly as one store would, and
/// replaying the layers must leave exactly that store.
@Suite struct LMDBWriteOverlayTests {
    /// What the store holds, per database: the reference.
    private struct Model {
        var databases: [[[UInt8]: [UInt8]]] = [[:], [:]]

        func scan(_ db: Int, from start: [UInt8], within prefix: [UInt8]?, limit: Int) -> [([UInt8], [UInt8])] {
            databases[db].keys.filter { !$0.lexicographicallyPrecedes(start) && (prefix.map($0.starts(with:)) ?? true) }
                .sorted { $0.lexicographicallyPrecedes($1) }
                .prefix(limit).map { ($0, databases[db][$0]!) }
        }
    }

    /// Short keys from a four-letter alphabet, so keys collide, get overwritten and share prefixes.
    private static func key(_ random: inout SplitMix64) -> [UInt8] {
        (0..<Int.random(in: 0...5, using: &random)).map { _ in [0, 1, 2, 255][Int.random(in: 0..<4, using: &random)] }
    }

    private static func value(_ random: inout SplitMix64) -> [UInt8] {
        (0..<Int.random(in: 0...24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// Random operations through `txn`, each checked against (and applied to) the model.
    private static func exercise(_ txn: LMDBTransaction, _ dbs: [LMDBDatabase], _ model: inout Model,
                                 _ random: inout SplitMix64, operations: Int) throws {
        for _ in 0..<operations {
            let db = Int.random(in: 0..<2, using: &random)
            var key = key(&random)
            if key.isEmpty { key = [1] }  // LMDB refuses empty keys
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                let value = value(&random)
                try key.withUnsafeBytes { k in try value.withUnsafeBytes { try txn.put(dbs[db], key: k, value: $0) } }
                model.databases[db][key] = value
            case 4..<6:
                let existed = try key.withUnsafeBytes { try txn.delete(dbs[db], key: $0) }
                #expect(existed == (model.databases[db].removeValue(forKey: key) != nil))
            case 6:
                let value = value(&random)
                let outcome = Result { () throws -> Void in
                    try key.withUnsafeBytes { k in
                        try value.withUnsafeBytes { try txn.put(dbs[db], key: k, value: $0, flags: LMDBFlags.noOverwrite) }
                    }
                }
                if model.databases[db][key] == nil {
                    #expect((try? outcome.get()) != nil)
                    model.databases[db][key] = value
                } else {
                    #expect((try? outcome.get()) == nil, "a no-overwrite put of an existing key must fail")
                }
            case 7..<9:
                let stored = try key.withUnsafeBytes { try txn.get(dbs[db], key: $0).map { Array($0) } }
                #expect(stored == model.databases[db][key])
            default:
                let start = Self.key(&random)
                // Half the scans are bounded by a prefix (the state's scans are), the rest run to the limit.
                let prefix = Bool.random(using: &random) ? Array(start.prefix(Int.random(in: 0...start.count, using: &random))) : nil
                let limit = Int.random(in: 1...12, using: &random)
                var seen: [([UInt8], [UInt8])] = []
                let scan = { (k: UnsafeRawBufferPointer, v: UnsafeRawBufferPointer) -> Bool in
                    seen.append((Array(k), Array(v)))
                    return seen.count < limit
                }
                if let prefix {
                    try start.withUnsafeBytes { s in
                        try prefix.withUnsafeBytes { try txn.forEach(dbs[db], from: start.isEmpty ? nil : s, within: $0, scan) }
                    }
                } else if start.isEmpty {
                    try txn.forEach(dbs[db], scan)
                } else {
                    try start.withUnsafeBytes { try txn.forEach(dbs[db], from: $0, scan) }
                }
                let expected = model.scan(db, from: start, within: prefix, limit: limit)
                #expect(seen.map(\.0) == expected.map(\.0))
                #expect(seen.map(\.1) == expected.map(\.1))
            }
        }
    }

    /// A real LMDB environment with a small map in a fresh folder, removed when `body` returns.
    private static func withScratchEnvironment(_ body: (LMDBEnvironment) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "yibao-overlay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = LMDBEnvironment.Options()
        options.mapSize = 8 << 20
        let env = try LMDBEnvironment(path: directory, options: options)
        defer { env.close() }
        try body(env)
    }

    private static func stored(_ env: LMDBEnvironment, _ dbs: [LMDBDatabase]) throws -> Model {
        var model = Model()
        try env.read { txn in
            for (i, db) in dbs.enumerated() {
                try txn.forEach(db) { k, v in
                    model.databases[i][Array(k)] = Array(v)
                    return true
                }
            }
        }
        return model
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func twoLayersOverASnapshotAnswerAsOneStore(seed: UInt64) throws {
        try Self.withScratchEnvironment { env in try twoLayersOverASnapshotAnswerAsOneStore(seed: seed, env: env) }
    }

    private func twoLayersOverASnapshotAnswerAsOneStore(seed: UInt64, env: LMDBEnvironment) throws {
        let dbs = [try env.database(named: "a"), try env.database(named: "b")]
        var random = SplitMix64(seed: seed)
        var model = Model()

        // What is already committed.
        try env.write { txn in try Self.exercise(txn, dbs, &model, &random, operations: 200) }

        // The group that will commit, applied over the store.
        let committing = LMDBWriteLayer()
        try env.read { snapshot in
            let txn = LMDBTransaction(handle: snapshot.handle, overlay: LMDBWriteOverlay(live: committing, committing: nil))
            try Self.exercise(txn, dbs, &model, &random, operations: 300)
        }
        let afterCommitting = model

        // The next group, applied over it in two calls: before and after the first commits. Within the first, some
        // runs of writes are rolled back to a savepoint (a command that threw), and the reads after must not see them.
        let live = LMDBWriteLayer()
        try env.read { snapshot in
            let txn = LMDBTransaction(handle: snapshot.handle, overlay: LMDBWriteOverlay(live: live, committing: committing))
            try Self.exercise(txn, dbs, &model, &random, operations: 150)
            for round in 0..<8 {
                let before = model
                let savepoint = live.savepoint()
                try Self.exercise(txn, dbs, &model, &random, operations: 40)
                if round % 2 == 0 {
                    live.rollBack(to: savepoint)
                    model = before
                }
            }
            try Self.exercise(txn, dbs, &model, &random, operations: 150)
        }
        committing.prepareReplay()
        try env.write { txn in try committing.replay(into: txn) }
        #expect(try Self.stored(env, dbs).databases == afterCommitting.databases)
        try env.read { snapshot in
            let txn = LMDBTransaction(handle: snapshot.handle, overlay: LMDBWriteOverlay(live: live, committing: committing))
            try Self.exercise(txn, dbs, &model, &random, operations: 300)
        }
        try env.write { txn in try live.replay(into: txn) }
        #expect(try Self.stored(env, dbs).databases == model.databases)
    }

    /// Replay puts each database's keys in LMDB's order, which `MDB_APPEND` checks: keys of 1 to 12 bytes from a
    /// four-letter alphabet (zero bytes, shared prefixes, one key the start of another), all put with the flag in
    /// random order, must land without "key exists" and all be there.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func replayPutsKeysInLMDBOrder(seed: UInt64) throws {
        try Self.withScratchEnvironment { env in try replayPutsKeysInLMDBOrder(seed: seed, env: env) }
    }

    private func replayPutsKeysInLMDBOrder(seed: UInt64, env: LMDBEnvironment) throws {
        let db = try env.database(named: "a")
        var random = SplitMix64(seed: seed)
        let layer = LMDBWriteLayer()
        var keys = Set<[UInt8]>()
        for _ in 0..<3_000 {
            let key: [UInt8] = (0..<Int.random(in: 1...12, using: &random)).map { _ in [0, 1, 2, 255][Int.random(in: 0..<4, using: &random)] }
            keys.insert(key)
            key.withUnsafeBytes { k in layer.put(db, key: k, size: 1, flags: LMDBFlags.append) { $0[0] = 7 } }
        }
        layer.prepareReplay()
        try env.write { txn in try layer.replay(into: txn) }
        #expect(try Self.stored(env, [db, db]).databases[0].keys.sorted { $0.lexicographicallyPrecedes($1) }
                == keys.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test func valuesReadFromALayerStayValidAfterTheKeyIsWrittenAgain() throws {
        let layer = LMDBWriteLayer()
        let db = LMDBDatabase(handle: 3)
        let key: [UInt8] = [7, 7]
        key.withUnsafeBytes { k in layer.put(db, key: k, size: 3, flags: 0) { $0.copyBytes(from: [1, 2, 3]) } }
        let first = key.withUnsafeBytes { layer.value(db, $0)?.bytes }
        key.withUnsafeBytes { k in layer.put(db, key: k, size: 1, flags: 0) { $0.copyBytes(from: [9]) } }
        #expect(first.map(Array.init) == [1, 2, 3])
        #expect(key.withUnsafeBytes { layer.value(db, $0)?.bytes.map(Array.init) } == [9])
        #expect(layer.keyCount == 1)
    }

    @Test func manyKeysThatDifferOnlyInTheirLastByteAreAllFound() throws {
        // Big-endian indexes: the case a weak hash would pile into a few buckets.
        let layer = LMDBWriteLayer()
        let db = LMDBDatabase(handle: 1)
        for index in 0..<20_000 as Range<UInt64> {
            withUnsafeBytes(of: index.bigEndian) { k in layer.put(db, key: k, size: 8, flags: 0) { $0.storeBytes(of: index, as: UInt64.self) } }
        }
        #expect(layer.keyCount == 20_000)
        for index in stride(from: 0, to: 20_000, by: 997) as StrideTo<UInt64> {
            let stored = withUnsafeBytes(of: index.bigEndian) { layer.value(db, $0)?.bytes?.loadUnaligned(as: UInt64.self) }
            #expect(stored == index)
        }
    }
}
