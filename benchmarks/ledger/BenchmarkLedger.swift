import YibaoCrypto
import YibaoLedger

/// A fresh ledger in its own subfolder, in the default durable configuration, with the benchmark's org
/// registered. Every run gets its own, so no run inherits a larger tree or a pending index from another.
struct BenchmarkLedger {
    let ledger: Ledger
    private let nodeKey = SM2PrivateKey()
    private let folder: String
    private let scratch: ScratchFolder

    init(named name: String, in scratch: ScratchFolder, client: BenchmarkClient) async throws {
        self.scratch = scratch
        folder = try scratch.subfolder(name)
        ledger = try Ledger(directory: folder, nodeKey: nodeKey, configuration: LedgerConfiguration())
        try await ledger.registerOrg(code: BenchmarkClient.org, role: BenchmarkClient.role, publicKey: client.key.publicKey)
    }

    /// Shuts the ledger down, then opens its store once per mode and returns what each start check took
    /// (`Ledger.startCheck`): what a node restarted on this tree spends checking it. `ledger` is closed afterwards.
    func startChecks(_ modes: [LedgerStartCheckMode]) throws -> [(LedgerStartCheckMode, Duration)] {
        ledger.shutdown()
        return try modes.map { mode in
            var configuration = LedgerConfiguration()
            configuration.startCheck = mode
            let reopened = try Ledger(directory: folder, nodeKey: nodeKey, configuration: configuration)
            defer { reopened.shutdown() }
            precondition(reopened.damage == nil, "the benchmark's store was found damaged: \(reopened.damage!)")
            return (mode, reopened.startCheck.duration)
        }
    }

    /// Shuts the ledger down and deletes its files, so the next run starts with the disk as it found it.
    func close() {
        ledger.shutdown()
        scratch.removeSubfolder(folder)
    }
}
