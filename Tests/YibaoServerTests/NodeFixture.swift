import Foundation
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger
import YibaoServer
import YibaoTestSupport

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

    let node: TestNode
    let keysDirectory: String
    var nodeKey: SM2PrivateKey { node.nodeKey }

    init() throws {
        node = try TestNode(prefix: "yibao-node")
        keysDirectory = node.root + "/keys"
        try FileManager.default.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true)
        var registry: [OrgRegistryFile.Org] = []
        var codes: [String: String] = [:]
        for org in Self.orgs {
            let key = SM2PrivateKey()
            try key.pemRepresentation.write(toFile: "\(keysDirectory)/\(org.code).pem", atomically: true, encoding: .utf8)
            registry.append(.init(code: org.code, role: org.registryRole, publicKey: key.publicKey))
            codes[org.role] = org.code
        }
        try OrgRegistryFile(orgs: registry).write(to: node.orgRegistryPath)
        let json = try JSONSerialization.data(withJSONObject: codes, options: [.sortedKeys])
        try json.write(to: URL(fileURLWithPath: "\(keysDirectory)/orgs.json"))
    }

    func remove() {
        node.remove()
    }
}
