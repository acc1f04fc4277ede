import Foundation
import YibaoClient
import YibaoCrypto
import YibaoLedger
import YibaoProto
import YibaoRPC
import YibaoServer
import YibaoTestSupport

/// A real node for one test: its own data folder, an SM2 key per demo org and the registry naming them, the node
/// (LedgerNode: LMDB, OpenSSL, sockets) on a free loopback port, and a generated-stub client per org whose calls
/// are signed with YibaoClient's RequestSigner.
final class EndToEndNode: Sendable {
    enum Org: String, CaseIterable, Sendable {
        case hospital = "H46010600001"
        case platform = "F46000000001"
        case bureau = "B4601"
        case bank = "K46000000001"
        case channel = "C46000000001"
        case auditor = "A46000000001"

        var role: String {
            switch self {
            case .hospital: "hospital"
            case .platform: "invoice_platform"
            case .bureau: "insurance_bureau:4601"
            case .bank: "bank"
            case .channel: "channel"
            case .auditor: "auditor"
            }
        }
    }

    let node: TestNode
    let orgKeys: [Org: SM2PrivateKey]
    var dataDirectory: String { node.dataDirectory }
    var nodeKey: SM2PrivateKey { node.nodeKey }

    init() throws {
        node = try TestNode(prefix: "yibao-e2e")
        var keys: [Org: SM2PrivateKey] = [:]
        for org in Org.allCases { keys[org] = SM2PrivateKey() }
        orgKeys = keys
        try OrgRegistryFile(orgs: Org.allCases.map { .init(code: $0.rawValue, role: $0.role, publicKey: keys[$0]!.publicKey) })
            .write(to: node.orgRegistryPath)
    }

    func start(adjust: (inout NodeConfiguration) -> Void = { _ in }) async throws -> LedgerNode {
        try await node.start { configuration in
            configuration.rpc.shutdownGracePeriod = .seconds(10)
            adjust(&configuration)
        }
    }

    /// Runs `body` with the node started as `start` does; shuts it down afterwards, also when `body` throws.
    @discardableResult
    func withRunning<Result>(adjust: (inout NodeConfiguration) -> Void = { _ in },
                             _ body: (LedgerNode) async throws -> Result) async throws -> Result {
        try await node.withRunningNode(adjust: { configuration in
            configuration.rpc.shutdownGracePeriod = .seconds(10)
            adjust(&configuration)
        }, body)
    }

    /// A client acting for `org`, every call signed with the org's key (nil: no identity at all).
    func client(port: Int, as org: Org?, connections: Int = 1) throws -> Client {
        var configuration = RPCClientConfiguration(host: "127.0.0.1", port: port)
        configuration.connections = connections
        configuration.maxReceiveMessageSize = 64 << 20
        if let org { configuration.callAuthenticator = RequestSigner(org: org.rawValue, privateKey: orgKeys[org]!).authenticator }
        return Client(try RPCClient(configuration: configuration))
    }

    func remove() {
        node.remove()
    }

    /// The five generated stubs over one connection.
    struct Client: Sendable {
        let rpc: RPCClient
        let invoices: Yibao_V1_InvoiceServiceClient
        let settlements: Yibao_V1_SettlementServiceClient
        let accounts: Yibao_V1_AccountServiceClient
        let authorization: Yibao_V1_AuthorizationServiceClient
        let ledger: Yibao_V1_LedgerServiceClient

        init(_ rpc: RPCClient) {
            self.rpc = rpc
            invoices = Yibao_V1_InvoiceServiceClient(rpc)
            settlements = Yibao_V1_SettlementServiceClient(rpc)
            accounts = Yibao_V1_AccountServiceClient(rpc)
            authorization = Yibao_V1_AuthorizationServiceClient(rpc)
            ledger = Yibao_V1_LedgerServiceClient(rpc)
        }

        func close() async { await rpc.close() }
    }
}
