import Foundation
import YibaoClient
import YibaoCrypto
import YibaoProto
import YibaoRPC

/// The generated clients over one `RPCClient` (a pool of `connections` HTTP/2 connections), and how every call
/// says which org it acts for: `acting(as:)` around the generated stub's call. The identity is added by the
/// client's call authenticator, which sees the method path the stub uses and the very request bytes it sends:
/// a signed call encodes its request once.
public struct LoadConnection: Sendable {
    public let client: RPCClient
    public let invoices: Yibao_V1_InvoiceServiceClient
    public let settlements: Yibao_V1_SettlementServiceClient
    public let ledger: Yibao_V1_LedgerServiceClient
    public let identity: LoadIdentity

    public init(host: String, port: Int, connections: Int, identity: LoadIdentity) throws {
        var configuration = RPCClientConfiguration(host: host, port: port)
        configuration.connections = max(1, connections)
        // A load test measures the server: a refused call is counted, never retried behind the figures' back.
        configuration.maxAttempts = 1
        configuration.maxReceiveMessageSize = 64 << 20
        configuration.callAuthenticator = identity.authenticator
        client = try RPCClient(configuration: configuration)
        invoices = Yibao_V1_InvoiceServiceClient(client)
        settlements = Yibao_V1_SettlementServiceClient(client)
        ledger = Yibao_V1_LedgerServiceClient(client)
        self.identity = identity
    }

    /// Runs `calls` (generated-stub calls on this connection) acting for `org`.
    func acting<Result>(as org: String, _ calls: () async throws -> Result) async throws -> Result {
        try await LoadIdentity.$actingOrg.withValue(org) { try await calls() }
    }

    public func close() async {
        await client.close()
    }
}

/// How calls identify their org. In development mode (`yibao-server --dev`) the org code alone is taken at
/// its word; the load test then measures the node without the SM2 verification a signed call costs. Signed:
/// every call carries the org's SM2 signature over (method, org, time, SM3 of the request), as production
/// clients without mutual TLS do; the client pays the signing, the node the verification.
public enum LoadIdentity: Sendable {
    case development
    case signed([String: RequestSigner])

    /// `directory/<org>.pem` for every org of `orgs` (as `yibao-load orgs` writes them).
    public static func signed(keysDirectory directory: String, orgs: [String]) throws -> LoadIdentity {
        .signed(Dictionary(uniqueKeysWithValues: try orgs.map { org in
            let pem = try String(contentsOfFile: "\(directory)/\(org).pem", encoding: .utf8)
            return (org, RequestSigner(org: org, privateKey: try SM2PrivateKey(pem: pem)))
        }))
    }
}

extension LoadIdentity {
    /// The org the current task's calls act for (`LoadConnection.acting(as:)`); nil: the call's own metadata says.
    @TaskLocal static var actingOrg: String?

    /// For `RPCClientConfiguration.callAuthenticator`: `path` and `request` (nil for a stream's opening) are what
    /// the call sends.
    var authenticator: @Sendable (_ path: String, _ request: [UInt8]?) throws -> GRPCMetadata {
        { [self] path, request in
            guard let org = LoadIdentity.actingOrg else { return GRPCMetadata() }
            switch self {
            case .development:
                var metadata = GRPCMetadata()
                metadata.add("yibao-org", org)
                return metadata
            case .signed(let signers):
                guard let signer = signers[org] else { throw GRPCStatus(.unauthenticated, "no key for org \(org)") }
                return try signer.metadata(method: path, request: request)
            }
        }
    }
}
