import ArgumentParser
import Foundation

/// How an API command reaches the node and proves who it is. Each option falls back to its environment variable.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The node, host:port (default 127.0.0.1:50051). Env: YIBAO_SERVER.")
    var server: String?
    @Option(help: "The org the call is made for (org code). Env: YIBAO_ORG.")
    var org: String?
    @Option(help: "The org's SM2 private key (PEM) that signs the call. Env: YIBAO_KEY.")
    var key: String?
    @Option(help: "A folder holding <ORG>.pem keys, used when --key is not given (e.g. yibao-data/dev-orgs). Env: YIBAO_KEYS.")
    var keys: String?
    @Option(name: .customLong("tls-ca"), help: "Use TLS, trusting this CA (PEM) for the node's certificate. Env: YIBAO_TLS_CA.")
    var tlsCA: String?
    @Option(help: "Client certificate (PEM) for mutual TLS; its CN is the org. Env: YIBAO_CLIENT_CERT.")
    var clientCert: String?
    @Option(help: "Client certificate's private key (PEM). Env: YIBAO_CLIENT_KEY.")
    var clientKey: String?
    @Option(help: "Name to check the node's certificate against (default: the host). Env: YIBAO_SERVER_NAME.")
    var serverName: String?
    @Option(help: "Seconds the call may take (default 30). Env: YIBAO_TIMEOUT.")
    var timeout: Double?

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    var resolvedServer: String { server ?? Self.environment["YIBAO_SERVER"] ?? "127.0.0.1:50051" }
    var resolvedOrg: String? { org ?? Self.environment["YIBAO_ORG"] }
    var resolvedKey: String? { key ?? Self.environment["YIBAO_KEY"] }
    var resolvedKeys: String? { keys ?? Self.environment["YIBAO_KEYS"] }
    var resolvedTLSCA: String? { tlsCA ?? Self.environment["YIBAO_TLS_CA"] }
    var resolvedClientCert: String? { clientCert ?? Self.environment["YIBAO_CLIENT_CERT"] }
    var resolvedClientKey: String? { clientKey ?? Self.environment["YIBAO_CLIENT_KEY"] }
    var resolvedServerName: String? { serverName ?? Self.environment["YIBAO_SERVER_NAME"] }

    func resolvedTimeout() throws -> Double {
        if let timeout { return timeout }
        guard let text = Self.environment["YIBAO_TIMEOUT"] else { return 30 }
        guard let seconds = Double(text), seconds > 0 else { throw CLIFailure(.usage, "YIBAO_TIMEOUT '\(text)' is not a number of seconds") }
        return seconds
    }
}
