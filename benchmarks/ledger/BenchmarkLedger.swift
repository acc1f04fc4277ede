import YibaoCrypto
import YibaoLedger

/// A fresh ledger in its own subfolder, in the default durable configuration, with the benchmark's org
/// registered. Every run gets its own, so no run inherits a larger tree or a pending index from another.
struct BenchmarkLedger {
    let ledger: Ledger
    private let folder: String
    private let scratch: ScratchFolder

    init(named name: String, in scratch: ScratchFolder, client: BenchmarkClient) async throws {
        self.scratch = scratch
        folder = try scratch.subfolder(name)
        ledger = try Ledger(directory: folder, nodeKey: SM2PrivateKey(), configuration: LedgerConfiguration())
        try await ledger.registerOrg(code: BenchmarkClient.org, role: BenchmarkClient.role, publicKey: client.key.publicKey)
    }

    /// Shuts the ledger down and deletes its files, so the next run starts with the disk as it found it.
    func close() {
        ledger.shutdown()
        scratch.removeSubfolder(folder)
    }
}
