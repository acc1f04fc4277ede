import Foundation
import YibaoClient
import YibaoCrypto
import YibaoProto
import YibaoRPC

/// One CLI invocation's client: the RPC connection, and the identity every call carries (the org's SM2 signature
/// in metadata, or a client certificate over mutual TLS, or, for a node in development mode, just the org code).
struct NodeConnection {
    let client: RPCClient
    let identity: CallIdentity
    let timeout: Duration

    init(_ options: ConnectionOptions) throws {
        let address = options.resolvedServer
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (1...65_535).contains(port) else {
            throw CLIFailure(.usage, "--server '\(address)' is not host:port")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var configuration = RPCClientConfiguration(host: host, port: port)
        configuration.failFastWhenDisconnected = true  // a CLI reports a node that is down; it does not wait for it
        configuration.connectTimeout = .seconds(5)
        configuration.maxReceiveMessageSize = 64 << 20
        let mutualTLS = options.resolvedClientCert != nil
        if let ca = options.resolvedTLSCA {
            guard (options.resolvedClientCert == nil) == (options.resolvedClientKey == nil) else {
                throw CLIFailure(.usage, "mutual TLS needs both --client-cert and --client-key")
            }
            configuration.tls = TLSClientConfiguration(
                trustedCA: .file(ca), certificateChain: options.resolvedClientCert.map { .file($0) },
                privateKey: options.resolvedClientKey.map { .file($0) }, serverName: options.resolvedServerName)
        } else if mutualTLS {
            throw CLIFailure(.usage, "--client-cert needs --tls-ca (the CA that signed the node's certificate)")
        }
        identity = try CallIdentity.resolve(options, mutualTLS: mutualTLS)
        identity.install(in: &configuration)
        do { client = try RPCClient(configuration: configuration) } catch {
            throw CLIFailure(.connectionFailed, "cannot set up the connection to \(address): \(error)")
        }
        timeout = .milliseconds(Int64(try options.resolvedTimeout() * 1000))
    }

    /// Options for a call: its deadline (the identity metadata is added per attempt by the client).
    var callOptions: RPCCallOptions { RPCCallOptions(timeout: timeout) }

    /// Runs a call, turning its failure into the CLI's exit codes: a node that cannot be reached is 4, any other
    /// gRPC status 1 with its code name and message.
    func run<R>(_ call: () async throws -> R) async throws -> R {
        defer { Task { [client] in await client.close() } }
        do {
            return try await call()
        } catch let status as GRPCStatus {
            throw Self.failure(status)
        }
    }

    static func failure(_ status: GRPCStatus) -> CLIFailure {
        let text = "\(status.code.canonicalName): \(status.message)"
        // The client's own transport failures (no connection, a TLS handshake the node refused, a connection that
        // closed under the call); an UNAVAILABLE the node itself sent ("shutting down") is a call failure.
        let transportFailures = ["cannot connect", "connection to", "connection closed", "HTTP/2 session failed"]
        let unreachable = status.code == .unavailable && transportFailures.contains { status.message.hasPrefix($0) }
        return CLIFailure(unreachable ? .connectionFailed : .failed, text)
    }
}
