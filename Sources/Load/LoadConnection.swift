import YibaoClient
import YibaoProto
import YibaoRPC

/// The generated clients over one `RPCClient` (a pool of `connections` HTTP/2 connections), and how every call
/// says which org it acts for.
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
        client = try RPCClient(configuration: configuration)
        invoices = Yibao_V1_InvoiceServiceClient(client)
        settlements = Yibao_V1_SettlementServiceClient(client)
        ledger = Yibao_V1_LedgerServiceClient(client)
        self.identity = identity
    }

    /// Call options for `org` calling `method` with `request` (nil for a stream's opening).
    func options(org: String, method: String, request: (any ProtoMessage)?) throws -> RPCCallOptions {
        var options = RPCCallOptions()
        options.metadata = try identity.metadata(org: org, method: method, request: request)
        return options
    }

    public func close() async {
        await client.close()
    }
}

/// How calls identify their org. In development mode (`yibao-server --dev`) the org code alone is taken at
/// its word; the load test then measures the node without the SM2 verification a signed call costs.
public enum LoadIdentity: Sendable {
    case development
}

extension LoadIdentity {
    func metadata(org: String, method: String, request: (any ProtoMessage)?) throws -> GRPCMetadata {
        switch self {
        case .development:
            var metadata = GRPCMetadata()
            metadata.add("yibao-org", org)
            return metadata
        }
    }
}
