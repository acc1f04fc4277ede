import Foundation
import Testing
import YibaoCrypto
@testable import YibaoLedger

/// A child process appends and prints each receipt once acknowledged; we SIGKILL it at random moments, many
/// times. After every kill the ledger reopens with every acknowledged entry present, unaltered, and provable,
/// and the whole store verifies: nothing acknowledged is lost, nothing is torn.
@Suite struct LedgerCrashTests {
    static var childPath: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // swift test runs <build>/debug/<package>PackageTests.xctest; the child is built beside it.
        var folder = testBinary.deletingLastPathComponent()
        if folder.lastPathComponent == "MacOS" { folder = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return folder.appendingPathComponent("ledger-crash-writer").path
    }

    @Test func acknowledgedEntriesSurviveSIGKILL() throws {
        let child = Self.childPath
        try #require(FileManager.default.isExecutableFile(atPath: child), "build the ledger-crash-writer product first: \(child)")
        let work = NSTemporaryDirectory() + "yibao-crash-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let nodeKey = SM2PrivateKey(), orgKey = SM2PrivateKey()
        try nodeKey.pemRepresentation.write(toFile: work + "/node.pem", atomically: true, encoding: .utf8)
        try orgKey.pemRepresentation.write(toFile: work + "/org.pem", atomically: true, encoding: .utf8)
        let data = work + "/data"

        var acknowledged: [UInt64: String] = [:]
        var generator = SystemRandomNumberGenerator()
        let rounds = 12
        for round in 0..<rounds {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: child)
            process.arguments = [data, work + "/node.pem", work + "/org.pem", "H46010600001", String(round)]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Read concurrently so a full pipe never blocks the child.
            let collected = OutputCollector(output.fileHandleForReading)
            let delay = UInt32.random(in: 150_000...900_000, using: &generator)
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let lines = collected.finish()
            #expect(process.terminationReason == .uncaughtSignal)
            for line in lines where line.hasPrefix("ACK ") {
                let parts = line.split(separator: " ")
                // A line cut by the kill is not a complete promise; only whole lines count.
                guard parts.count == 3, parts[2].count == 64, let index = UInt64(parts[1]) else { continue }
                acknowledged[index] = String(parts[2])
            }
            // Reopen in this process: every acknowledged record must be there, exactly.
            let ledger = try Ledger(directory: data, nodeKey: nodeKey)
            for (index, hash) in acknowledged {
                let entry = try ledger.entry(at: index)
                #expect(entry.leafHash.hex == hash, "round \(round): entry \(index) changed")
                #expect(ledger.hashing.leafHash(entry.bytes).hex == hash, "round \(round): entry \(index) is torn")
            }
            if let (index, hash) = acknowledged.randomElement(using: &generator) {
                let proof = try ledger.inclusionProof(index: index)
                #expect(proof.verify(leafHash: try #require(Digest32(hex: hash)), root: try ledger.root()))
            }
            ledger.shutdown()
            // The whole-store check re-verifies every head signature (0.6 ms each): every fourth round and the last.
            guard round % 4 == 3 || round == rounds - 1 else { continue }
            let report = try LedgerVerifier(directory: data, expectedNodeKey: nodeKey.publicKey,
                                            dataKey: try DataKeyFile.load(directory: data)).verify()
            #expect(report.isValid, "round \(round) (killed after \(delay / 1000) ms): \(report)")
        }
        let sealed = try Self.sealedEntryCount(data)
        #expect(sealed > 0, "odd rounds store their records sealed")
        print("crash test: \(rounds) SIGKILLs, \(acknowledged.count) acknowledged records all present and verified, \(sealed) stored sealed")
        #expect(acknowledged.count > 0, "the child never acknowledged anything: the test proved nothing")
    }
}

extension LedgerCrashTests {
    /// Entries stored in the sealed form, read from LMDB directly.
    static func sealedEntryCount(_ directory: String) throws -> Int {
        let env = try LMDBEnvironment(path: directory)
        defer { env.close() }
        let entries = try env.database(named: "entries")
        return try env.read { txn in
            var count = 0
            try txn.forEach(entries, from: 0) { _, value in
                if value.count > 8 && value[8] == RangeSealedBytes.marker { count += 1 }
                return true
            }
            return count
        }
    }
}

/// Drains a pipe on a background thread and hands back its complete lines.
private final class OutputCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func finish() -> [String] {
        done.wait()
        let text = String(decoding: data, as: UTF8.self)
        // Drop a final line the kill may have cut short.
        var lines = text.components(separatedBy: "\n")
        if !text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }
}
