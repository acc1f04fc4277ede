import Foundation
import YibaoClient
import YibaoCrypto
import YibaoLoadSupport
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
    /// HOST:PORT, for messages.
    public let target: String

    public init(host: String, port: Int, connections: Int, identity: LoadIdentity) throws {
        var configuration = RPCClientConfiguration(host: host, port: port)
        configuration.connections = max(1, connections)
        // A load test measures the server: a refused call is counted, never retried behind the figures' back.
        configuration.maxAttempts = 1
        // A node that goes down mid-run fails the calls made meanwhile UNAVAILABLE (counted) instead of holding them
        // until it is back: otherwise a run against a dead node would never reach its end.
        configuration.failFastWhenDisconnected = true
        configuration.maxReceiveMessageSize = 64 << 20
        configuration.callAuthenticator = identity.authenticator
        client = try RPCClient(configuration: configuration)
        invoices = Yibao_V1_InvoiceServiceClient(client)
        settlements = Yibao_V1_SettlementServiceClient(client)
        ledger = Yibao_V1_LedgerServiceClient(client)
        self.identity = identity
        target = "\(host):\(port)"
    }

    /// One GetTreeHead within `timeout`, before a run, so that a wrong address or a node that is down ends the run
    /// at once with the reason instead of as a report of nothing but UNAVAILABLE. Any other answer shows a gRPC
    /// server is there and the run goes on: UNIMPLEMENTED (the grpc-swift-2 peer serves no LedgerService) and an
    /// identity the node refuses (which the run then counts, per call) included.
    public func checkReachable(timeout: Duration = .seconds(10)) async throws(LoadSetupError) {
        do {
            _ = try await acting(as: SyntheticWorkload.platformOrg) {
                try await ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest(), options: RPCCallOptions(timeout: timeout))
            }
        } catch let status as GRPCStatus where status.code != .unavailable && status.code != .deadlineExceeded {
            return
        } catch {
            throw LoadSetupError("no gRPC server answered at \(target): \(error)")
        }
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

    /// `directory/<org>.pem` for every org of `orgs` (as `yibao-load orgs` writes them). A key that does not read
    /// throws `LoadSetupError` naming its file.
    public static func signed(keysDirectory directory: String, orgs: [String]) throws(LoadSetupError) -> LoadIdentity {
        var signers: [String: RequestSigner] = [:]
        for org in orgs {
            let path = "\(directory)/\(org).pem"
            let pem: String
            do {
                pem = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                let reason = (error as? CocoaError)?.localizedDescription ?? "\(error)"
                throw LoadSetupError("cannot read \(path), the key of org \(org): \(reason) (`yibao-load orgs --out DIR` writes the keys to DIR/keys)")
            }
            do {
                signers[org] = RequestSigner(org: org, privateKey: try SM2PrivateKey(pem: pem))
            } catch {
                throw LoadSetupError("\(path) is not an SM2 private key in PEM: \(error)")
            }
        }
        return .signed(signers)
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
