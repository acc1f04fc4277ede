import Foundation
import NIOCore
import Synchronization
import Testing
import YibaoRPC
import YibaoTestSupport

/// The server over TLS (OpenSSL, ALPN h2) against stock grpcio with `grpc.ssl_channel_credentials`,
/// using certificates generated at test time by the `openssl` CLI.
@Suite("TLS interop with grpcio")
struct TLSInteropTests {
    /// What the server logged about TLS trouble (handshake failures), for assertions.
    final class LogLines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { if $0.count < 1000 { $0.append(line) } } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// An echo server with TLS (server certificate from files) for the duration of `body`.
    /// `inlinePEM`: pass the PEM text itself instead of file paths.
    func withTLSServer<T>(_ clientAuthentication: TLSConfiguration.ClientAuthentication, inlinePEM: Bool = false,
                          handshakeTimeout: TimeAmount = .seconds(10),
                          _ body: (RPCServer, TestCertificates, LogLines) async throws -> T) async throws -> T {
        try await withTLSServer(clientAuthentication, inlinePEM: inlinePEM, handshakeTimeout: handshakeTimeout) {
            server, certificates, log, _ in try await body(server, certificates, log)
        }
    }

    func withTLSServer<T>(_ clientAuthentication: TLSConfiguration.ClientAuthentication, inlinePEM: Bool = false,
                          handshakeTimeout: TimeAmount = .seconds(10),
                          _ body: (RPCServer, TestCertificates, LogLines, CallProbe) async throws -> T)
        async throws -> T {
        let certificates = try await TestCertificates.shared.value
        let log = LogLines()
        func source(_ name: String) throws -> TLSConfiguration.PEMSource {
            inlinePEM ? .pem(try String(contentsOfFile: certificates.path(name), encoding: .utf8))
                : .file(certificates.path(name))
        }
        let chain = try source("server.pem"), key = try source("server.key"), ca = try source("ca.pem")
        return try await withEchoServer(configure: { configuration in
            var tls = TLSConfiguration(certificateChain: chain, privateKey: key, clientCA: ca,
                                       clientAuthentication: clientAuthentication)
            tls.log = { line in log.append(line) }
            tls.handshakeTimeout = handshakeTimeout
            configuration.tls = tls
        }) { server, probe in try await body(server, certificates, log, probe) }
    }

    func run(_ server: RPCServer, _ certificates: TestCertificates, _ scenarios: String...) async throws
        -> InteropClient.Result {
        try await InteropClient.run(script: "grpc_tls_client.py",
                                    arguments: [String(server.port), certificates.directory] + scenarios)
    }

    static let unavailable = GRPCStatus.Code.unavailable.rawValue

    @Test func unaryEchoOverTLSUpToOneMebibyte() async throws {
        let result = try await withTLSServer(.required) { server, certificates, _ in
            try await run(server, certificates, "unary")
        }
        let records = result.records("tls-unary")
        #expect(records.map(\.size) == [0, 5, 16383, 16385, 300_000, 1 << 20])
        for record in records {
            #expect(record.ok == true, "size \(record.size ?? -1) came back as \(record.got ?? -1) bytes")
        }
    }

    @Test func serverStreamingOverTLS() async throws {
        let result = try await withTLSServer(.none, inlinePEM: true) { server, certificates, _ in
            try await run(server, certificates, "stream")
        }
        let record = try #require(result.first("tls-stream"))
        #expect(record.received == 1000)
        #expect(record.ok == true)
    }

    @Test func mutualTLSHandsThePeerCommonNameToHandlers() async throws {
        let result = try await withTLSServer(.required) { server, certificates, _ in
            (try await run(server, certificates, "peer"), try certificates.clientFingerprint())
        }
        #expect(result.0.first("tls-peer")?.response == TestCertificates.clientCommonName)
        let fingerprint = result.1
        #expect(fingerprint.count == 64)
        #expect(result.0.first("tls-peer-identity")?.response == TestCertificates.clientSubject + "|" + fingerprint)
    }

    @Test func requiredClientAuthRefusesMissingAndForeignCertificatesAndKeepsServing() async throws {
        let (result, log) = try await withTLSServer(.required) { server, certificates, log in
            (try await run(server, certificates, "no_cert", "other_ca", "peer"), log.all)
        }
        let noCert = try #require(result.first("tls-no-cert"))
        #expect(noCert.code == Self.unavailable, "\(noCert.details ?? "")")
        let otherCA = try #require(result.first("tls-other-ca"))
        #expect(otherCA.code == Self.unavailable, "\(otherCA.details ?? "")")
        // Others are still served, and the refusals were logged with a reason.
        #expect(result.first("tls-peer")?.response == TestCertificates.clientCommonName)
        #expect(log.filter { $0.contains("handshake failed") }.count >= 2, "\(log)")
    }

    @Test func optionalClientAuthServesAnonymousClientsButRefusesForeignCertificates() async throws {
        let result = try await withTLSServer(.optional) { server, certificates, _ in
            try await run(server, certificates, "anonymous_peer", "peer", "other_ca")
        }
        #expect(result.first("tls-anonymous-peer")?.response == "")
        #expect(result.first("tls-peer")?.response == TestCertificates.clientCommonName)
        #expect(result.first("tls-other-ca")?.code == Self.unavailable)
    }

    @Test func plaintextClientFailsCleanlyWhileTLSClientsAreServed() async throws {
        let result = try await withTLSServer(.required) { server, certificates, _ in
            try await run(server, certificates, "plaintext")
        }
        #expect(result.first("plaintext")?.code == Self.unavailable)
        #expect(result.first("tls-after")?.ok == true)
    }

    @Test func clientsWithoutALPNh2AreRefused() async throws {
        let result = try await withTLSServer(.none) { server, certificates, _ in
            try await run(server, certificates, "alpn")
        }
        let http1 = try #require(result.first("alpn-http1")?.status)
        #expect(http1.hasPrefix("refused"), "\(http1)")
        let none = try #require(result.first("alpn-none")?.status)
        #expect(none.hasPrefix("refused"), "\(none)")
    }

    @Test func renegotiationIsRefused() async throws {
        let result = try await withTLSServer(.required) { server, certificates, _ in
            try await run(server, certificates, "renegotiate", "peer")
        }
        let record = try #require(result.first("renegotiate"))
        #expect(record.status == "refused", "\(record.details ?? "")")
        #expect(result.first("tls-peer")?.response == TestCertificates.clientCommonName)
    }

    @Test func silentClientIsClosedAfterTheHandshakeTimeout() async throws {
        let (result, log) = try await withTLSServer(.none, handshakeTimeout: .milliseconds(500)) { server, certificates, log in
            (try await run(server, certificates, "silent"), log.all)
        }
        #expect(result.first("silent")?.closed == true)
        #expect(log.contains { $0.contains("handshake not finished") }, "\(log)")
    }

    @Test func aClientThatReadsNothingHoldsTheWriterBackThroughTLS() async throws {
        try await withTLSServer(.required) { server, certificates, _, probe in
            let result = try await run(server, certificates, "unread_flood")
            #expect(result.first("unread-flood")?.ok == true)
            // HTTP/2 windows were wide open, so only channel writability (ciphertext queued in the channel)
            // stopped the writer: socket buffers plus the 512 KiB stream queue, far below 1000 x 64 KiB.
            let accepted = probe.floodWrites
            #expect(accepted > 0)
            #expect(accepted < 500, "\(accepted) writes of 64 KiB accepted")
            #expect(await eventually { probe.floodEnded })
        }
    }

    @Test func badKeyMaterialFailsAtStartNotPerClient() async throws {
        let certificates = try await TestCertificates.shared.value
        var configuration = testConfiguration()
        // The client key does not belong to the server certificate.
        configuration.tls = TLSConfiguration(certificateChain: .file(certificates.path("server.pem")),
                                             privateKey: .file(certificates.path("client.key")))
        await #expect(throws: TLSError.self) {
            _ = try await RPCServer.start(router: RPCRouter(), configuration: configuration)
        }
        configuration.tls = TLSConfiguration(certificateChain: .pem("not a certificate"),
                                             privateKey: .pem("not a key"))
        await #expect(throws: TLSError.self) {
            _ = try await RPCServer.start(router: RPCRouter(), configuration: configuration)
        }
    }
}
