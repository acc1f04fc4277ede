// Crash-test child: appends to a ledger and prints one line per acknowledged (durable) record, until killed.
//
//     ledger-crash-writer <data-dir> <node-key.pem> <org-key.pem> <org-code> <seed>
//
// Output lines: "ACK <index> <tx-hash-hex>", written only after the receipt arrived, so every line printed
// is a promise the ledger must keep after SIGKILL.
import Foundation
import YibaoCrypto
import YibaoLedger

let arguments = CommandLine.arguments
guard arguments.count == 6, let seed = UInt64(arguments[5]) else {
    FileHandle.standardError.write(Data("usage: ledger-crash-writer <data-dir> <node-key.pem> <org-key.pem> <org-code> <seed>\n".utf8))
    exit(2)
}
let directory = arguments[1]
let nodeKey = try SM2PrivateKey(pem: String(contentsOfFile: arguments[2], encoding: .utf8))
let orgKey = try SM2PrivateKey(pem: String(contentsOfFile: arguments[3], encoding: .utf8))
let org = arguments[4]

/// Unbuffered: a line is in the pipe the moment the receipt is in hand.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Odd seeds seal the head of every record at rest, as the domain seals PII, so kills hit sealed writes too and the
/// store mixes both forms.
struct SealedHead: EntryPrivacy {
    func privateRange(kind: UInt16, payload: [UInt8]) -> Range<Int>? { 0..<min(24, payload.count) }
}
var configuration = LedgerConfiguration()
if seed % 2 == 1 { configuration.entryPrivacy = SealedHead() }

let ledger = try Ledger(directory: directory, nodeKey: nodeKey, configuration: configuration)
if ledger.org(org) == nil {
    try await ledger.registerOrg(code: org, role: "hospital", publicKey: orgKey.publicKey)
}
emit("READY \(ledger.treeSize)")

/// A small deterministic generator so a failing run can be repeated from its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let printer = NSLock()
await withTaskGroup(of: Void.self) { group in
    for writer in 0..<4 {
        group.addTask {
            var random = SplitMix(state: seed &* 31 &+ UInt64(writer))
            var round = 0
            while true {
                round += 1
                let count = Int.random(in: 1...40, using: &random)
                let records = (0..<count).map { i in
                    LedgerRecord(kind: .attestation,
                                 payload: Array("seed \(seed) writer \(writer) round \(round) record \(i) ".utf8)
                                     + (0..<Int.random(in: 1...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
                }
                do {
                    let batch = try SignedBatch.signing(org: org, requestId: "s\(seed)-w\(writer)-r\(round)", records: records, key: orgKey)
                    let outcomes = try await ledger.submit(batch)
                    let lines = outcomes.compactMap { try? $0.get() }.map { "ACK \($0.index) \($0.transactionHash.hex)" }
                    if !lines.isEmpty { printer.withLock { emit(lines.joined(separator: "\n")) } }
                } catch {
                    printer.withLock { emit("ERROR \(error)") }
                }
            }
        }
    }
}
