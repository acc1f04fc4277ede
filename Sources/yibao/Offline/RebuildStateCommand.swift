import ArgumentParser
import Foundation
import YibaoDomain
import YibaoLedger

/// `yibao rebuild-state --data DIR`: a stopped node's state databases rebuilt from its entries in the current
/// state format (LedgerStateRebuild), after the whole store verifies. What to run when a node refuses a store
/// whose state an older version wrote.
struct RebuildStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-state",
        abstract: "Rebuild a stopped node's state databases from its entries, in this version's state format.",
        discussion: """
            The whole store is verified first (every entry, Merkle node, signed tree head and batch seal); a store \
            that does not verify is left untouched. Interrupted, the store refuses to open until this is run again.
            """)

    @Option(help: "The node's data folder.")
    var data: String
    @Option(help: "The node public key you trust (PEM); default: the key in the ledger's genesis entry.")
    var nodeKey: String?
    @Option(help: "State keys written per transaction (default 50000); fewer bound memory on a very large store.")
    var keysPerTransaction = 50_000

    func run() throws {
        guard FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw CLIFailure(.usage, "\(data) holds no ledger (no data.mdb)")
        }
        guard keysPerTransaction > 0 else { throw CLIFailure(.usage, "--keys-per-transaction must be at least 1") }
        let expectedKey = try nodeKey.map(NodeKeyFile.load)
        let report: LedgerStateRebuild.Report
        do {
            var rebuild = LedgerStateRebuild(directory: data, stateMachine: InvoiceSettlementRules(),
                                             dataKey: try DataKeyFile.load(directory: data), expectedNodeKey: expectedKey)
            rebuild.copyChunk = keysPerTransaction
            rebuild.progress = { Console.error("rebuild-state: \($0)") }
            report = try rebuild.run()
        } catch where DataFolderLock.isHeld(error, directory: data) {
            throw CLIFailure(.failed, "a node is running on \(data) (it holds \(data)/node.lock). Stop the node (SIGTERM) "
                             + "and run this again.")
        } catch let error as LedgerError where error.code == .dataLoss || error.code == .failedPrecondition {
            throw CLIFailure(.verificationFailed, "cannot rebuild the state of \(data): \(error.message)")
        } catch let error as LedgerError {
            throw CLIFailure(.failed, "cannot rebuild the state of \(data): \(error.message)")
        }
        Console.out(report.description)
    }
}
