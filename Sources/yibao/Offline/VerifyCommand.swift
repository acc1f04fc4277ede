import YibaoProtoJSON
import ArgumentParser
import Foundation
import YibaoCrypto
import YibaoDomain
import YibaoLedger

/// `yibao verify --data DIR`: the whole store checked offline from its entries (LedgerVerifier with the
/// invoice and settlement rules replayed), while no node runs on it.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a stopped node's data folder offline: every entry, Merkle node, signed tree head, batch seal and the replayed state.")

    @Option(help: "The node's data folder.")
    var data: String
    @Option(help: "The node public key you trust (PEM); default: the key in the ledger's genesis entry.")
    var nodeKey: String?
    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder), isFolder.boolValue,
              FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw CLIFailure(.usage, "\(data) holds no ledger (no data.mdb)")
        }
        let expectedKey = try nodeKey.map(NodeKeyFile.load)
        let report: LedgerVerifier.Report
        do {
            report = try DataFolderLock.whileHeld(directory: data) {
                try LedgerVerifier(directory: data, expectedNodeKey: expectedKey, stateMachine: InvoiceSettlementRules(),
                                   dataKey: try DataKeyFile.load(directory: data)).verify()
            }
        } catch where DataFolderLock.isHeld(error, directory: data) {
            throw CLIFailure(.failed, "a node is running on \(data) (it holds \(data)/node.lock). Offline verification "
                             + "needs the folder to itself: stop the node (SIGTERM) and run this again.")
        } catch let error as LedgerError {
            throw CLIFailure(error.code == .failedPrecondition || error.code == .dataLoss ? .verificationFailed : .failed,
                             "cannot verify \(data): \(error.message)")
        } catch let damage as LMDBFileCheck.Damage {
            throw CLIFailure(.verificationFailed, "the store at \(data) does not verify: \(damage)")
        } catch let error as LMDBError {
            // Before the walk (opening the store, its named databases): no entry was checked.
            throw CLIFailure(.verificationFailed, "the store at \(data) does not verify: it cannot be opened (\(error)); "
                             + "LMDB's page tree is damaged, and no entry was checked")
        }
        if json {
            Console.out(JSONWriter.text(.object([
                ("valid", .bool(report.isValid)), ("entries", .unsigned(report.entries)),
                ("tree_heads", .integer(Int64(report.treeHeads))), ("batch_seals", .integer(Int64(report.seals))),
                ("orgs", .integer(Int64(report.orgs))), ("indexed_transactions", .integer(Int64(report.indexedTransactions))),
                ("state_databases", .integer(Int64(report.stateDatabases))), ("root", .string(report.root?.hex ?? "")),
                ("first_divergence", report.firstDivergence.map { .string($0.description) } ?? .null),
            ])))
        } else {
            Console.out(report.description)
        }
        guard report.isValid else {
            throw CLIFailure(.verificationFailed, "the store at \(data) does not verify: \(report.firstDivergence!)")
        }
    }
}

/// A node public key given by file: public key PEM, or the node's private key PEM (its public half is used).
enum NodeKeyFile {
    static func load(_ path: String) throws -> SM2PublicKey {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CLIFailure(.usage, "cannot read the node key \(path): \(error.localizedDescription)")
        }
        if let key = try? SM2PublicKey(pem: text) { return key }
        if let key = try? SM2PrivateKey(pem: text) { return key.publicKey }
        throw CLIFailure(.usage, "\(path) holds no SM2 public key in PEM")
    }
}
