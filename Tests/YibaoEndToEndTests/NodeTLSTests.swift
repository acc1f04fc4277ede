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
        try await NodeProcess.withRunning([], environment: [
            "YIBAO_CONFIG": work + "/node.conf", "YIBAO_TLS_CERT": certificates.path("server.pem"),
            "YIBAO_TLS_KEY": certificates.path("server.key"), "YIBAO_TLS_CLIENT_CA": certificates.path("ca.pem")]) { node, listening in
            #expect(node.stderr.contains("\"tls\":\"true\""), "\(node.stderr)")

            let tls = ["--server", "127.0.0.1:\(listening)", "--tls-ca", certificates.path("ca.pem"), "--server-name", "localhost"]
            let withCertificate = try await Binaries.run("yibao", ["ledger", "tree-head", "--body", "{}", "--json",
                                                                   "--client-cert", certificates.path("client.pem"),
                                                                   "--client-key", certificates.path("client.key")] + tls)
            #expect(withCertificate.status == 0 && withCertificate.stdout.contains("\"hash_algorithm\": \"sm3\""), "\(withCertificate)")
            let upload = try await Binaries.run("yibao", ["settlement", "upload", "\(Binaries.examples)/upload-settlements.json",
                                                          "--client-cert", certificates.path("client.pem"),
                                                          "--client-key", certificates.path("client.key")] + tls)
            #expect(upload.status == 0, "the certificate's CN (the demo hospital) may upload its settlement: \(upload)")
            let withoutCertificate = try await Binaries.run("yibao", ["ledger", "tree-head", "--body", "{}", "--org", "H46010600001",
                                                                      "--keys", work + "/data/dev-orgs"] + tls)
            #expect(withoutCertificate.status == 4, "mutual TLS refuses a client without a certificate: \(withoutCertificate)")
            // A node whose certificate the CLI does not trust: unreachable (4), and the message says it was the TLS check.
            let untrusted = try await Binaries.run("yibao", ["ledger", "tree-head", "--body", "{}", "--server", "127.0.0.1:\(listening)",
                                                             "--tls-ca", certificates.path("other-ca.pem"), "--server-name", "localhost",
                                                             "--client-cert", certificates.path("client.pem"),
                                                             "--client-key", certificates.path("client.key")])
            #expect(untrusted.status == 4 && untrusted.stderr.contains("UNAVAILABLE: cannot connect to 127.0.0.1:\(listening): TLS handshake failed")
                    && untrusted.stderr.contains("certificate verify failed"), "\(untrusted)")

            let status = await node.stop(signal: SIGINT, grace: .seconds(60))
            #expect(status == 0, "\(node.stderr)")
        }
    }
}
