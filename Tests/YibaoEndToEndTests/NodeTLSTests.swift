import Foundation
import Testing
import YibaoTestSupport

/// The built node with mutual TLS configured through its environment and config file, and the CLI reaching it
/// with a client certificate whose CN names the org (no signing key at all).
@Suite("End to end: yibao-server with mutual TLS", .serialized)
struct NodeTLSTests {
    @Test("TLS settings from environment and config file; the CLI authenticates by client certificate")
    func mutualTLS() async throws {
        let server = Binaries.path("yibao-server"), yibao = Binaries.path("yibao")
        try #require(FileManager.default.isExecutableFile(atPath: server) && FileManager.default.isExecutableFile(atPath: yibao))
        let certificates = try await TestCertificates.shared.value
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try """
            # the listen address and data folder come from here; TLS from the environment
            listen = 127.0.0.1:0
            data = \(work)/data
            durability = none
            log_format = json
            """.write(toFile: work + "/node.conf", atomically: true, encoding: .utf8)
        let (node, _, nodeErr) = try ChildProcess.start(server, [], environment: [
            "YIBAO_CONFIG": work + "/node.conf", "YIBAO_TLS_CERT": certificates.path("server.pem"),
            "YIBAO_TLS_KEY": certificates.path("server.key"), "YIBAO_TLS_CLIENT_CA": certificates.path("ca.pem")])
        var port: String?
        for _ in 0..<600 where port == nil && node.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            port = Self.listeningPort(inJSONLog: nodeErr.current)
        }
        let listening = try #require(port, "the node did not report listening:\n\(nodeErr.current)")
        #expect(nodeErr.current.contains("\"tls\":\"true\""), "\(nodeErr.current)")

        let tls = ["--server", "127.0.0.1:\(listening)", "--tls-ca", certificates.path("ca.pem"), "--server-name", "localhost"]
        let withCertificate = try ChildProcess.run(yibao, ["ledger", "tree-head", "--body", "{}", "--json",
                                                           "--client-cert", certificates.path("client.pem"),
                                                           "--client-key", certificates.path("client.key")] + tls)
        #expect(withCertificate.status == 0 && withCertificate.stdout.contains("\"hash_algorithm\": \"sm3\""), "\(withCertificate)")
        let upload = try ChildProcess.run(yibao, ["settlement", "upload", "\(Binaries.examples)/upload-settlements.json",
                                                  "--client-cert", certificates.path("client.pem"),
                                                  "--client-key", certificates.path("client.key")] + tls)
        #expect(upload.status == 0, "the certificate's CN (the demo hospital) may upload its settlement: \(upload)")
        let withoutCertificate = try ChildProcess.run(yibao, ["ledger", "tree-head", "--body", "{}", "--org", "H46010600001",
                                                              "--keys", work + "/data/dev-orgs"] + tls)
        #expect(withoutCertificate.status == 4, "mutual TLS refuses a client without a certificate: \(withoutCertificate)")

        kill(node.processIdentifier, SIGINT)
        node.waitUntilExit()
        #expect(node.terminationStatus == 0, "\(nodeErr.finish())")
    }

    static func listeningPort(inJSONLog log: String) -> String? {
        for line in log.split(separator: "\n") where line.contains("\"msg\":\"node listening\"") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] else { continue }
            return object["port"]
        }
        return nil
    }
}
