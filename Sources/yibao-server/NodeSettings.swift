import Logging
import YibaoDomain
import YibaoLedger

/// What the node runs with, resolved from flags, environment, config file and defaults (in that order).
struct NodeSettings {
    enum Durability: String, CaseIterable {
        /// No receipt before its commit is fsynced (the default).
        case fsync
        /// Commits are not fsynced: a power cut may lose acknowledged writes. For benchmarks and throwaway nodes.
        case none
    }

    enum LogFormat: String, CaseIterable {
        case logfmt
        case json
    }

    var listen = ListenAddress.standard
    var dataDirectory = "./yibao-data"
    var tlsCertificate: String?
    var tlsKey: String?
    /// With a client CA the node requires mutual TLS: the client certificate's CN is the org code.
    var tlsClientCA: String?
    var orgRegistry: String?
    var development = false
    var durability = Durability.fsync
    var maxMessageBytes = 4 * 1024 * 1024
    var maxConcurrentStreams = 100
    var maxConnections = 1024
    var maxConnectionsPerAddress = 256
    /// Response bytes queued for one connection / all connections before streaming handlers wait.
    var connectionBufferBytes = 2 * 1024 * 1024
    var serverBufferBytes = 256 * 1024 * 1024
    var prefaceTimeoutMs = 10_000
    var idleTimeoutSeconds = 300
    var maxBatchRecords = 10_000
    var shutdownGraceSeconds = 30
    var treeHeadIntervalMs = 10
    /// What the node checks of its store before it serves (`LedgerStartCheckMode`).
    var verifyOnStart = LedgerStartCheckMode.quick
    var logLevel = Logger.Level.info
    var logFormat = LogFormat.logfmt
    /// The Prometheus endpoint's `host:port` (`GET /metrics`); nil: none.
    var metricsListen: ListenAddress?
    /// Where each non-default setting came from ("flag --listen", "YIBAO_DATA", "node.conf:3"), for the start log.
    var origins: [SettingKey: String] = [:]

    /// Resolves every setting; `flags` holds the raw values given on the command line.
    static func resolve(flags: [SettingKey: String], configFileFlag: String?,
                        environment: [String: String]) throws(SettingsError) -> NodeSettings {
        var file: SettingsFile?
        if let path = configFileFlag ?? environment[SettingKey.configFileEnvironmentName] {
            file = try SettingsFile(path: path, knownKeys: Set(SettingKey.allCases.map(\.rawValue)))
        }
        var settings = NodeSettings()
        for key in SettingKey.allCases {
            let found: (value: String, origin: String)?
            if let value = flags[key] {
                found = (value, "flag \(key.flag)")
            } else if let value = environment[key.environmentName] {
                found = (value, key.environmentName)
            } else if let entry = file?.values[key.rawValue] {
                found = (entry.value, entry.origin)
            } else {
                found = nil
            }
            guard let (value, origin) = found else { continue }
            do throws(SettingsError) {
                try settings.set(key, value)
            } catch {
                throw SettingsError("\(origin): \(error.description)")
            }
            settings.origins[key] = origin
        }
        try settings.checkConsistency()
        return settings
    }

    private mutating func set(_ key: SettingKey, _ value: String) throws(SettingsError) {
        switch key {
        case .listen: listen = try ListenAddress(parsing: value)
        case .data:
            guard !value.isEmpty else { throw SettingsError("the data folder must not be empty") }
            dataDirectory = value
        case .tlsCert: tlsCertificate = try Self.path(value)
        case .tlsKey: tlsKey = try Self.path(value)
        case .tlsClientCA: tlsClientCA = try Self.path(value)
        case .orgRegistry: orgRegistry = try Self.path(value)
        case .dev: development = try Self.boolean(value)
        case .durability: durability = try Self.choice(value)
        case .maxMessageBytes: maxMessageBytes = try Self.integer(value, in: 1024...(64 << 20))
        case .maxConcurrentStreams: maxConcurrentStreams = try Self.integer(value, in: 1...100_000)
        case .maxConnections: maxConnections = try Self.integer(value, in: 1...1_000_000)
        case .maxConnectionsPerAddress: maxConnectionsPerAddress = try Self.integer(value, in: 1...1_000_000)
        case .connectionBufferBytes: connectionBufferBytes = try Self.integer(value, in: (64 << 10)...(1 << 30))
        case .serverBufferBytes: serverBufferBytes = try Self.integer(value, in: (1 << 20)...(64 << 30))
        case .prefaceTimeoutMs: prefaceTimeoutMs = try Self.integer(value, in: 100...600_000)
        case .idleTimeoutSeconds: idleTimeoutSeconds = try Self.integer(value, in: 1...86_400)
        case .maxBatchRecords: maxBatchRecords = try Self.integer(value, in: 1...10_000)
        case .shutdownGraceSeconds: shutdownGraceSeconds = try Self.integer(value, in: 0...3_600)
        case .treeHeadIntervalMs: treeHeadIntervalMs = try Self.integer(value, in: 0...60_000)
        case .verifyOnStart: verifyOnStart = try Self.choice(value)
        case .logLevel:
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw SettingsError("'\(value)' is not a log level (\(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            logLevel = level
        case .logFormat: logFormat = try Self.choice(value)
        case .metricsListen: metricsListen = value.isEmpty || value == "off" ? nil : try ListenAddress(parsing: value)
        }
    }

    private func checkConsistency() throws(SettingsError) {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw SettingsError("TLS needs both \(SettingKey.tlsCert.flag) and \(SettingKey.tlsKey.flag) (or neither)")
        }
        if tlsClientCA != nil, tlsCertificate == nil {
            throw SettingsError("\(SettingKey.tlsClientCA.flag) (mutual TLS) needs \(SettingKey.tlsCert.flag) and \(SettingKey.tlsKey.flag)")
        }
    }

    private static func path(_ value: String) throws(SettingsError) -> String {
        guard !value.isEmpty else { throw SettingsError("the path must not be empty") }
        return value
    }

    private static func boolean(_ value: String) throws(SettingsError) -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw SettingsError("'\(value)' is not true or false")
        }
    }

    private static func integer(_ value: String, in range: ClosedRange<Int>) throws(SettingsError) -> Int {
        guard let number = Int(value.replacingOccurrences(of: "_", with: "")), range.contains(number) else {
            throw SettingsError("'\(value)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func choice<C: RawRepresentable & CaseIterable>(_ value: String) throws(SettingsError) -> C
        where C.RawValue == String {
        guard let choice = C(rawValue: value.lowercased()) else {
            throw SettingsError("'\(value)' is not one of \(C.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }
}
