import Foundation
import Logging
import NIOCore
import Testing
import YibaoCrypto
import YibaoRPC
@testable import yibao_server

/// yibao-server's settings: flag > environment > config file > default, and errors that name where a bad value
/// came from.
@Suite("yibao-server settings")
struct NodeSettingsTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-conf-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("defaults with nothing given")
    func defaults() throws {
        let settings = try NodeSettings.resolve(flags: [:], configFileFlag: nil, environment: [:])
        #expect(settings.listen == ListenAddress(host: "127.0.0.1", port: 50051))
        #expect(settings.dataDirectory == "./yibao-data" && !settings.development && settings.durability == .fsync)
        #expect(settings.maxMessageBytes == 4 * 1024 * 1024 && settings.logLevel == .info && settings.logFormat == .logfmt)
        #expect(settings.treeHeadIntervalMs == 10)
        #expect(settings.metricsListen == nil, "no metrics endpoint unless asked for")
        #expect(settings.verifyOnStart == .quick)
    }

    @Test("the metrics endpoint: host:port, or off")
    func metricsListen() throws {
        let on = try NodeSettings.resolve(flags: [.metricsListen: "127.0.0.1:9464"], configFileFlag: nil, environment: [:])
        #expect(on.metricsListen == ListenAddress(host: "127.0.0.1", port: 9464))
        let off = try NodeSettings.resolve(flags: [:], configFileFlag: nil, environment: ["YIBAO_METRICS_LISTEN": "off"])
        #expect(off.metricsListen == nil)
        #expect(throws: SettingsError.self) {
            try NodeSettings.resolve(flags: [.metricsListen: "nine"], configFileFlag: nil, environment: [:])
        }
    }

    @Test("flag over environment over file over default")
    func precedence() throws {
        let path = try Self.file("""
            # node.conf
            listen = 0.0.0.0:7000
            data = "/srv/from-file"
            log_level = debug
            max_connections = 10
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try NodeSettings.resolve(
            flags: [.listen: "127.0.0.1:9000"], configFileFlag: path,
            environment: ["YIBAO_LISTEN": "127.0.0.1:8000", "YIBAO_DATA": "/srv/from-env", "YIBAO_DEV": "1"])
        #expect(settings.listen == ListenAddress(host: "127.0.0.1", port: 9000), "the flag wins")
        #expect(settings.dataDirectory == "/srv/from-env", "the environment beats the file")
        #expect(settings.logLevel == .debug && settings.maxConnections == 10, "the file beats the defaults")
        #expect(settings.development)
        #expect(settings.origins[.listen] == "flag --listen" && settings.origins[.data] == "YIBAO_DATA")
        #expect(settings.origins[.logLevel] == "\(path):4")
    }

    @Test("YIBAO_CONFIG names the file when --config does not")
    func configFromEnvironment() throws {
        let path = try Self.file("durability = none\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try NodeSettings.resolve(flags: [:], configFileFlag: nil, environment: ["YIBAO_CONFIG": path])
        #expect(settings.durability == NodeSettings.Durability.none)
    }

    @Test("errors name the setting's origin and the rule")
    func errors() throws {
        let path = try Self.file("listen = 127.0.0.1:50051\nlisen = 1\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SettingsError.self) { try NodeSettings.resolve(flags: [:], configFileFlag: path, environment: [:]) }
        func message(_ flags: [SettingKey: String], _ environment: [String: String] = [:], file: String? = nil) -> String {
            do {
                _ = try NodeSettings.resolve(flags: flags, configFileFlag: file, environment: environment)
                return "no error"
            } catch { return error.description }
        }
        #expect(message([:], file: path).contains("\(path):2: unknown key 'lisen'"))
        #expect(message([.listen: "localhost"]) == "flag --listen: 'localhost' is not host:port (e.g. 127.0.0.1:50051)")
        #expect(message([:], ["YIBAO_MAX_MESSAGE_BYTES": "lots"]).hasPrefix("YIBAO_MAX_MESSAGE_BYTES: 'lots' is not a whole number"))
        #expect(message([:], ["YIBAO_TREE_HEAD_INTERVAL_MS": "60001"]).hasPrefix("YIBAO_TREE_HEAD_INTERVAL_MS: '60001'"))
        #expect(try NodeSettings.resolve(flags: [.treeHeadIntervalMs: "0"], configFileFlag: nil, environment: [:]).treeHeadIntervalMs == 0)
        #expect(message([.durability: "sometimes"]) == "flag --durability: 'sometimes' is not one of fsync, none")
        #expect(message([.verifyOnStart: "always"]) == "flag --verify-on-start: 'always' is not one of quick, full, off")
        #expect(try NodeSettings.resolve(flags: [:], configFileFlag: nil, environment: ["YIBAO_VERIFY_ON_START": "FULL"]).verifyOnStart == .full)
        #expect(message([.tlsCert: "cert.pem"]).contains("TLS needs both --tls-cert and --tls-key"))
        #expect(message([.tlsClientCA: "ca.pem"]).contains("mutual TLS"))
        let repeated = try Self.file("data = a\ndata = b\n")
        defer { try? FileManager.default.removeItem(atPath: repeated) }
        #expect(message([:], file: repeated) == "\(repeated):2: 'data' is set twice")
    }

    @Test("connection limits reach the transport's configuration")
    func connectionLimits() throws {
        let path = try Self.file("max_connections_per_address = 12\nidle_timeout_seconds = 45\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let defaults = try NodeSettings.resolve(flags: [:], configFileFlag: nil, environment: [:])
        let standard = RPCServerConfiguration()
        #expect(defaults.maxConnectionsPerAddress == standard.maxConnectionsPerAddress
                && defaults.connectionBufferBytes == standard.connectionResponseBufferLimit
                && defaults.serverBufferBytes == standard.serverResponseBufferLimit
                && TimeAmount.milliseconds(Int64(defaults.prefaceTimeoutMs)) == standard.prefaceTimeout
                && TimeAmount.seconds(Int64(defaults.idleTimeoutSeconds)) == standard.idleTimeout,
                "the node's defaults are the transport's")
        let settings = try NodeSettings.resolve(
            flags: [.connectionBufferBytes: "1_048_576", .prefaceTimeoutMs: "2500"], configFileFlag: path,
            environment: ["YIBAO_SERVER_BUFFER_BYTES": "67108864"])
        let rpc = try NodeLauncher(settings: settings, log: Logger(label: "test"))
            .nodeConfiguration(nodeKey: SM2PrivateKey(), registry: nil).rpc
        #expect(rpc.maxConnectionsPerAddress == 12 && rpc.idleTimeout == .seconds(45))
        #expect(rpc.connectionResponseBufferLimit == 1 << 20 && rpc.serverResponseBufferLimit == 64 << 20)
        #expect(rpc.prefaceTimeout == .milliseconds(2500))
        #expect(throws: SettingsError.self) {
            try NodeSettings.resolve(flags: [.connectionBufferBytes: "1000"], configFileFlag: nil, environment: [:])
        }
    }

    @Test("IPv6 listen addresses")
    func ipv6() throws {
        #expect(try ListenAddress(parsing: "[::1]:50051") == ListenAddress(host: "::1", port: 50051))
        #expect(ListenAddress(host: "::1", port: 1).description == "[::1]:1")
    }
}
