import ArgumentParser
import Foundation
import Logging
import YibaoLedger

/// `yibao-server`: the Yibao Ledger node.
@main
struct YibaoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yibao-server",
        abstract: "The Yibao Ledger node: the yibao.v1 gRPC API over a tamper-evident SM3/SM2 ledger.",
        discussion: """
            Every setting is a flag, an environment variable YIBAO_<NAME> and a key <name> of the config file \
            (one `key = value` per line, # comments); precedence: flag > environment > config file > default. \
            On its first start on an empty data folder the node creates its key (node-key.pem) and data key, and \
            when no org registry is given, a DEVELOPMENT registry with demo orgs and their private keys in \
            <data>/dev-orgs/. See README.md, "Configuration".
            """)

    @Option(name: .customLong("config"), help: "Config file (key = value lines). Env: YIBAO_CONFIG.")
    var configFile: String?
    @Option(help: "host:port to listen on (default 127.0.0.1:50051). Env: YIBAO_LISTEN.")
    var listen: String?
    @Option(help: "Data folder (default ./yibao-data). Env: YIBAO_DATA.")
    var data: String?
    @Option(help: "TLS certificate chain (PEM). Env: YIBAO_TLS_CERT.")
    var tlsCert: String?
    @Option(help: "TLS private key (PEM). Env: YIBAO_TLS_KEY.")
    var tlsKey: String?
    @Option(name: .customLong("tls-client-ca"), help: "CA of client certificates: requires mutual TLS, CN = org code. Env: YIBAO_TLS_CLIENT_CA.")
    var tlsClientCA: String?
    @Option(help: "Org registry JSON ({\"orgs\": [{code, role, public_key_pem}]}). Env: YIBAO_ORG_REGISTRY.")
    var orgRegistry: String?
    @Flag(help: "Development mode: accept unsigned calls that only name their org (yibao-org). Never in production. Env: YIBAO_DEV=1.")
    var dev = false
    @Option(help: "fsync (default: no receipt before the commit is on disk) or none. Env: YIBAO_DURABILITY.")
    var durability: String?
    @Option(help: "Largest request message in bytes (default 4194304). Env: YIBAO_MAX_MESSAGE_BYTES.")
    var maxMessageBytes: String?
    @Option(help: "Concurrent calls per connection (default 100). Env: YIBAO_MAX_CONCURRENT_STREAMS.")
    var maxConcurrentStreams: String?
    @Option(help: "Open connections (default 1024). Env: YIBAO_MAX_CONNECTIONS.")
    var maxConnections: String?
    @Option(help: "Open connections from one peer address (default 256). Env: YIBAO_MAX_CONNECTIONS_PER_ADDRESS.")
    var maxConnectionsPerAddress: String?
    @Option(help: "Response bytes queued for one connection before its streaming calls wait (default 2097152). Env: YIBAO_CONNECTION_BUFFER_BYTES.")
    var connectionBufferBytes: String?
    @Option(help: "Response bytes queued for all connections before streaming calls wait (default 268435456). Env: YIBAO_SERVER_BUFFER_BYTES.")
    var serverBufferBytes: String?
    @Option(help: "Milliseconds a new connection has for its TLS handshake and HTTP/2 preface (default 10000). Env: YIBAO_PREFACE_TIMEOUT_MS.")
    var prefaceTimeoutMs: String?
    @Option(help: "Seconds a connection with no call may stay open (default 300). Env: YIBAO_IDLE_TIMEOUT_SECONDS.")
    var idleTimeoutSeconds: String?
    @Option(help: "Records per batch write (default and maximum 10000). Env: YIBAO_MAX_BATCH_RECORDS.")
    var maxBatchRecords: String?
    @Option(help: "Seconds in-flight calls may run after a shutdown signal (default 30). Env: YIBAO_SHUTDOWN_GRACE_SECONDS.")
    var shutdownGraceSeconds: String?
    @Option(help: "Milliseconds between signed tree heads at most (default 10; 0: sign after every commit it can). Env: YIBAO_TREE_HEAD_INTERVAL_MS.")
    var treeHeadIntervalMs: String?
    @Option(help: "What to check of the store before serving: quick (default: newest entries and heads, the Merkle frontier), full (all of `yibao verify`) or off. Env: YIBAO_VERIFY_ON_START.")
    var verifyOnStart: String?
    @Option(help: "trace, debug, info (default), notice, warning, error, critical. Env: YIBAO_LOG_LEVEL.")
    var logLevel: String?
    @Option(help: "logfmt (default) or json, on stderr. Env: YIBAO_LOG_FORMAT.")
    var logFormat: String?
    @Option(help: "host:port of the Prometheus endpoint, GET /metrics over HTTP/1.1 (default off). Env: YIBAO_METRICS_LISTEN.")
    var metricsListen: String?

    var flagValues: [SettingKey: String] {
        var flags: [SettingKey: String] = [:]
        flags[.listen] = listen
        flags[.data] = data
        flags[.tlsCert] = tlsCert
        flags[.tlsKey] = tlsKey
        flags[.tlsClientCA] = tlsClientCA
        flags[.orgRegistry] = orgRegistry
        if dev { flags[.dev] = "true" }
        flags[.durability] = durability
        flags[.maxMessageBytes] = maxMessageBytes
        flags[.maxConcurrentStreams] = maxConcurrentStreams
        flags[.maxConnections] = maxConnections
        flags[.maxConnectionsPerAddress] = maxConnectionsPerAddress
        flags[.connectionBufferBytes] = connectionBufferBytes
        flags[.serverBufferBytes] = serverBufferBytes
        flags[.prefaceTimeoutMs] = prefaceTimeoutMs
        flags[.idleTimeoutSeconds] = idleTimeoutSeconds
        flags[.maxBatchRecords] = maxBatchRecords
        flags[.shutdownGraceSeconds] = shutdownGraceSeconds
        flags[.treeHeadIntervalMs] = treeHeadIntervalMs
        flags[.verifyOnStart] = verifyOnStart
        flags[.logLevel] = logLevel
        flags[.logFormat] = logFormat
        flags[.metricsListen] = metricsListen
        return flags
    }

    func run() async throws {
        let settings: NodeSettings
        do {
            settings = try NodeSettings.resolve(flags: flagValues, configFileFlag: configFile,
                                                environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("yibao-server: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, format: settings.logFormat, logLevel: settings.logLevel)
        }
        let log = Logger(label: "yibao.node")
        do {
            try await NodeLauncher(settings: settings, log: log).run()
        } catch let failure as NodeStartFailure {
            log.critical("\(failure.message)")
            FileHandle.standardError.write(Data("yibao-server: \(failure.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
