import Foundation
import NIOCore
import Synchronization
import Testing
import YibaoRPC
import YibaoTestSupport

/// Our client over TLS against our server: server verification (CA and host name), mutual TLS with the
/// client certificate's CN reaching the handler, and refusals.
@Suite("RPC client over TLS")
struct ClientTLSTests {
    func withTLSServer(_ authentication: TLSConfiguration.ClientAuthentication,
                       _ body: (RPCServer, TestCertificates) async throws -> Void) async throws {
        let certificates = try await TestCertificates.shared.value
        try await withEchoServer(configure: { configuration in
            var tls = TLSConfiguration(certificateChain: .file(certificates.path("server.pem")),
                                       privateKey: .file(certificates.path("server.key")),
                                       clientCA: .file(certificates.path("ca.pem")),
                                       clientAuthentication: authentication)
            tls.log = { _ in }
            configuration.tls = tls
        }) { server, _ in try await body(server, certificates) }
    }

    func client(_ server: RPCServer, _ tls: TLSClientConfiguration, host: String = "127.0.0.1") throws -> RPCClient {
        var configuration = RPCClientConfiguration(host: host, port: server.port)
        var tls = tls
        tls.log = { _ in }
        configuration.tls = tls
        configuration.failFastWhenDisconnected = true
        return try RPCClient(configuration: configuration)
    }

    @Test func mutualTLSCarriesTheClientCommonName() async throws {
        try await withTLSServer(.required) { server, certificates in
            let client = try client(server, TLSClientConfiguration(
                trustedCA: .file(certificates.path("ca.pem")), certificateChain: .file(certificates.path("client.pem")),
                privateKey: .file(certificates.path("client.key"))))
            let peer = try await client.unary(path: "/yibao.test.v1.Echo/Peer", request: [])
            #expect(String(decoding: peer.message, as: UTF8.self) == TestCertificates.clientCommonName)
            let streamed = try await client.serverStreaming(path: "/yibao.test.v1.Echo/Expand",
                                                            request: ClientTests.expandRequest(50, "tls")) { responses in
                var count = 0
                for try await _ in responses { count += 1 }
                return count
            }
            #expect(streamed == 50)
            await client.close()
        }
    }

    @Test func serverOnlyTLSAndHostnameCheck() async throws {
        try await withTLSServer(.optional) { server, certificates in
            let ca = TLSClientConfiguration.PEMSource.file(certificates.path("ca.pem"))
            // By DNS name (localhost is in the certificate) and by IP address.
            for host in ["localhost", "127.0.0.1"] {
                let client = try client(server, TLSClientConfiguration(trustedCA: ca), host: host)
                let peer = try await client.unary(path: "/yibao.test.v1.Echo/Peer", request: [])
                #expect(peer.message.isEmpty)  // anonymous: no client certificate
                await client.close()
            }
            // A name the certificate does not carry is refused by the client.
            let wrongName = try client(server, TLSClientConfiguration(trustedCA: ca, serverName: "bank.example"))
            await #expect(throws: GRPCStatus.self) {
                _ = try await wrongName.unary(path: "/yibao.test.v1.Echo/Peer", request: [])
            }
            await wrongName.close()
            // A server whose chain leads to a CA we do not trust is refused.
            let otherCA = try client(server, TLSClientConfiguration(trustedCA: .file(certificates.path("other-ca.pem"))))
            await #expect(throws: GRPCStatus.self) {
                _ = try await otherCA.unary(path: "/yibao.test.v1.Echo/Peer", request: [])
            }
            await otherCA.close()
        }
    }

    /// A client that does not trust the server's CA: every attempt fails its handshake, and the caller learns
    /// that it was the certificate check (OpenSSL's own reason), not a bare "connection lost".
    func untrustingClient(_ server: RPCServer, _ certificates: TestCertificates, backoff: RPCBackoff,
                          handshakeFailures: HandshakeFailureCounter) throws -> RPCClient {
        var configuration = RPCClientConfiguration(host: "127.0.0.1", port: server.port)
        var tls = TLSClientConfiguration(trustedCA: .file(certificates.path("other-ca.pem")))
        tls.log = { line in if line.contains("handshake failed") { handshakeFailures.count.add(1, ordering: .relaxed) } }
        configuration.tls = tls
        configuration.failFastWhenDisconnected = true
        configuration.reconnectBackoff = backoff
        return try RPCClient(configuration: configuration)
    }

    final class HandshakeFailureCounter: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func untrustedServerCertificateIsUnavailableNamingTheVerificationFailure() async throws {
        try await withTLSServer(.optional) { server, certificates in
            let failures = HandshakeFailureCounter()
            let client = try untrustingClient(server, certificates, backoff: RPCBackoff(initial: .seconds(60), maximum: .seconds(60)),
                                              handshakeFailures: failures)
            do {
                _ = try await client.unary(path: "/yibao.test.v1.Echo/Peer", request: [])
                Issue.record("served over a connection whose certificate the client does not trust")
            } catch let status as GRPCStatus {
                #expect(status.code == .unavailable, "\(status)")
                #expect(status.message.contains("certificate verify failed"), "\(status.message)")
                #expect(status.message.contains("TLS handshake failed (server certificate: "), "\(status.message)")
            }
            #expect(failures.count.load(ordering: .relaxed) == 1)
            await client.close()
        }
    }

    /// Reconnection after failed handshakes waits (capped exponential backoff): calls made during the wait fail
    /// at once with the last reason and open no connection. Counted in attempts, not timed: with a backoff of a
    /// minute, ten calls in a row make one attempt; with none, each call makes its own.
    @Test func failedHandshakesBackOffBeforeReconnecting() async throws {
        try await withTLSServer(.optional) { server, certificates in
            let calls = 10
            for (backoff, expectedAttempts) in [(RPCBackoff(initial: .seconds(60), maximum: .seconds(60)), 1),
                                                (RPCBackoff(initial: .zero, maximum: .zero), calls)] {
                let failures = HandshakeFailureCounter()
                let client = try untrustingClient(server, certificates, backoff: backoff, handshakeFailures: failures)
                for _ in 0..<calls {
                    await #expect {
                        _ = try await client.unary(path: "/yibao.test.v1.Echo/Peer", request: [])
                    } throws: { error in
                        (error as? GRPCStatus)?.code == .unavailable
                            && (error as? GRPCStatus)?.message.contains("certificate verify failed") == true
                    }
                }
                #expect(failures.count.load(ordering: .relaxed) == expectedAttempts, "backoff \(backoff.initial)")
                await client.close()
            }
        }
    }

    @Test func requiredClientCertificateMissingIsUnavailable() async throws {
        try await withTLSServer(.required) { server, certificates in
            let client = try client(server, TLSClientConfiguration(trustedCA: .file(certificates.path("ca.pem"))))
            do {
                _ = try await client.unary(path: "/yibao.test.v1.Echo/Peer", request: [])
                Issue.record("served without a client certificate")
            } catch let status as GRPCStatus {
                // TLS 1.3: the server's alert may come after the client's handshake is done, before the call is
                // sent; either way the status names the reason, not just a refused stream.
                #expect(status.code == .unavailable)
                #expect(status.message.contains("certificate required"), "\(status)")
            }
            await client.close()
        }
    }
}
