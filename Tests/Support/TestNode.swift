import Foundation
import Logging
import YibaoCrypto
import YibaoServer

/// A real node (LedgerNode: LMDB, OpenSSL, sockets) for one test, in a temporary folder of its own, with the
/// settings every test node shares: 127.0.0.1 on a free port, LMDB without fsync (durability is the ledger's own
/// tests' subject), warnings-only logs. The org registry is the test's to write, at `orgRegistryPath`.
public final class TestNode: Sendable {
    public let root: String
    public let nodeKey = SM2PrivateKey()
    public var dataDirectory: String { root + "/data" }
    public var orgRegistryPath: String { root + "/orgs.json" }

    /// Makes the folder, named `<prefix>-<UUID>` in the temporary directory.
    public init(prefix: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    public func configuration(developmentMode: Bool = false) -> NodeConfiguration {
        var configuration = NodeConfiguration(dataDirectory: dataDirectory, nodeKey: nodeKey)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.orgRegistryPath = orgRegistryPath
        configuration.developmentMode = developmentMode
        configuration.durable = false
        configuration.rpc.shutdownGracePeriod = .seconds(5)
        var logger = Logger(label: "yibao.test-node")
        logger.logLevel = .warning
        configuration.logger = logger
        return configuration
    }

    /// Starts the node; the caller shuts it down (or use `withRunningNode`).
    public func start(developmentMode: Bool = false,
                      adjust: (inout NodeConfiguration) -> Void = { _ in }) async throws -> LedgerNode {
        var configuration = configuration(developmentMode: developmentMode)
        adjust(&configuration)
        return try await LedgerNode.start(configuration)
    }

    /// Runs `body` with the node running; shuts it down afterwards, also when `body` throws.
    @discardableResult
    public func withRunningNode<Result>(developmentMode: Bool = false,
                                        adjust: (inout NodeConfiguration) -> Void = { _ in },
                                        _ body: (LedgerNode) async throws -> Result) async throws -> Result {
        let node = try await start(developmentMode: developmentMode, adjust: adjust)
        do {
            let result = try await body(node)
            await node.shutdown()
            return result
        } catch {
            await node.shutdown()
            throw error
        }
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
