/// Every node setting, by its config-file key. The same setting is the flag `--<key with dashes>` and the
/// environment variable `YIBAO_<KEY>`; precedence: flag > environment > config file > default.
enum SettingKey: String, CaseIterable {
    case listen
    case data
    case tlsCert = "tls_cert"
    case tlsKey = "tls_key"
    case tlsClientCA = "tls_client_ca"
    case orgRegistry = "org_registry"
    case dev
    case durability
    case maxMessageBytes = "max_message_bytes"
    case maxConcurrentStreams = "max_concurrent_streams"
    case maxConnections = "max_connections"
    case maxConnectionsPerAddress = "max_connections_per_address"
    case connectionBufferBytes = "connection_buffer_bytes"
    case serverBufferBytes = "server_buffer_bytes"
    case prefaceTimeoutMs = "preface_timeout_ms"
    case idleTimeoutSeconds = "idle_timeout_seconds"
    case maxBatchRecords = "max_batch_records"
    case shutdownGraceSeconds = "shutdown_grace_seconds"
    case treeHeadIntervalMs = "tree_head_interval_ms"
    case verifyOnStart = "verify_on_start"
    case logLevel = "log_level"
    case logFormat = "log_format"
    case metricsListen = "metrics_listen"

    var environmentName: String { "YIBAO_" + rawValue.uppercased() }
    var flag: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }

    /// The config file is named by flag or environment only (a file cannot name another file).
    static let configFileFlag = "--config"
    static let configFileEnvironmentName = "YIBAO_CONFIG"
}
