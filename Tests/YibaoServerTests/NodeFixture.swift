import Foundation
import Logging
import YibaoCrypto
@testable import YibaoDomain
import YibaoServer

/// A real node for a test: a fresh data folder, an SM2 key per demo org (written as PEM for the Python client,
/// which signs with the `openssl` CLI), the org registry file, and the node on a free loopback port.
final class NodeFixture: Sendable {
    /// Org codes by role; `orgs.json` in `keysDirectory` tells the Python client the same.
    static let orgs: [(role: String, registryRole: String, code: String)] = [
        ("hospital", "hospital", "H46010600001"),
        ("invoice_platform", "invoice_platform", "F46000000001"),
        ("insurance_bureau", DomainCaller.roleName(.insuranceBureau, region: "4601"), "B46010000001"),
        ("bank", "bank", "K46000000001"),
        ("channel", "channel", "C46000000001"),
        ("auditor", "auditor", "A46000000001"),
    ]

    let directory: String
    let keysDirectory: String
    let nodeKey: SM2PrivateKey

    init() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-node-\(UUID().uuidString)").path
        directory = root + "/data"
        keysDirectory = root + "/keys"
        try FileManager.default.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true)
        nodeKey = SM2PrivateKey()
        var registry: [OrgRegistryFile.Org] = []
        var codes: [String: String] = [:]
        for org in Self.orgs {
            let key = SM2PrivateKey()
            try key.pemRepresentation.write(toFile: "\(keysDirectory)/\(org.code).pem", atomically: true, encoding: .utf8)
            registry.append(.init(code: org.code, role: org.registryRole, publicKey: key.publicKey))
            codes[org.role] = org.code
        }
        try OrgRegistryFile(orgs: registry).write(to: "\(root)/orgs.json")
        let json = try JSONSerialization.data(withJSONObject: codes, options: [.sortedKeys])
        try json.write(to: URL(fileURLWithPath: "\(keysDirectory)/orgs.json"))
    }

    var registryPath: String { (directory as NSString).deletingLastPathComponent + "/orgs.json" }

    func configuration(developmentMode: Bool = false) -> NodeConfiguration {
        var configuration = NodeConfiguration(dataDirectory: directory, nodeKey: nodeKey)
        configuration.port = 0
        configuration.orgRegistryPath = registryPath
        configuration.developmentMode = developmentMode
        configuration.durable = false  // tests: LMDB without fsync; durability is the ledger's own tests' business
        configuration.rpc.shutdownGracePeriod = .seconds(5)
        var logger = Logger(label: "yibao.test-node")
        logger.logLevel = .warning
        configuration.logger = logger
        return configuration
    }

    func start(developmentMode: Bool = false, adjust: (inout NodeConfiguration) -> Void = { _ in }) async throws -> LedgerNode {
        var configuration = configuration(developmentMode: developmentMode)
        adjust(&configuration)
        return try await LedgerNode.start(configuration)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent)
    }
}
