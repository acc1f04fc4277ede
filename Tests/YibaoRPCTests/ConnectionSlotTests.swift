import Foundation
import NIOCore
import Testing
import YibaoRPC
import YibaoTestSupport

/// Idle and slowloris peers (Tests/Interop/hostile_peer.py, from 127.0.0.2 and up) holding every connection slot
/// of a server with a small `maxConnections`, while a well-behaved client from 127.0.0.1 connects afresh for
/// each call.
@Suite("Connection slots against idle and slowloris peers", .serialized)
struct ConnectionSlotTests {
    /// `rounds` unary calls, each on a new connection (a fresh client), each with a 5 s deadline (connecting included).
    static func callsOnFreshConnections(_ server: RPCServer, rounds: Int) async throws -> (ok: Int, failed: [String]) {
        var ok = 0, failed: [String] = []
        for round in 0..<rounds {
            var configuration = RPCClientConfiguration(port: server.port)
            configuration.maxAttempts = 1
            let client = try RPCClient(configuration: configuration)
            do {
                let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: Array("round \(round)".utf8),
                                                      options: RPCCallOptions(timeout: .seconds(5)))
                if response.message == Array("round \(round)".utf8) { ok += 1 } else { failed.append("round \(round): wrong echo") }
            } catch {
                failed.append("round \(round): \(error)")
            }
            await client.close()
            try await Task.sleep(for: .milliseconds(50))
        }
        return (ok, failed)
    }

    /// Waits (bounded) until the server holds `count` connections.
    static func waitForConnections(_ server: RPCServer, atLeast count: Int) async {
        _ = await eventually(.seconds(30)) { server.connectionCount >= count }
    }

    /// A server with 32 slots (16 per address) under `peer`'s connections, and 20 calls on fresh connections.
    static func callsWhileSlotsAreHeld(by peer: [String], prefaceTimeout: TimeAmount)
        async throws -> (ok: Int, failed: [String], evicted: Int, open: Int) {
        try await withEchoServer(configure: {
            $0.maxConnections = 32
            $0.maxConnectionsPerAddress = 16
            $0.prefaceTimeout = prefaceTimeout
            // The echo runs on its connection's loop: the tests' shared handler threads may be held by other
            // suites for seconds, which is not what these calls measure.
            $0.handlersOnConnectionLoop = true
        }) { server, _ in
            let result = try await HostilePeer.with([String(server.port)] + peer) { _ in
                await Self.waitForConnections(server, atLeast: 32)
                return try await Self.callsOnFreshConnections(server, rounds: 20)
            }
            return (result.ok, result.failed, server.evictedConnectionCount, server.connectionCount)
        }
    }

    @Test("idle sockets on every slot: an idle one gives way to each newcomer")
    func idlePeersAreEvicted() async throws {
        guard InteropPython.isAvailable() else { return }
        // 100 silent sockets from 10 addresses, as the found attack; only eviction can make room (the preface
        // deadline is beyond the test).
        let result = try await Self.callsWhileSlotsAreHeld(by: ["idle", "100", "10"], prefaceTimeout: .seconds(120))
        print("idle peers: \(result.ok) of 20 calls OK, \(result.evicted) connections evicted")
        #expect(result.failed.isEmpty, "\(result.failed.count) of 20 calls failed: \(result.failed.prefix(3))")
        // The 68 sockets beyond the 32 slots each took the oldest idle one's, and so did the first call's.
        #expect(result.evicted >= 69, "\(result.evicted) evictions")
        #expect(result.open <= 32)
    }

    @Test("slowloris peers on every slot: a newcomer is served")
    func slowlorisPeersDoNotLockClientsOut() async throws {
        guard InteropPython.isAvailable() else { return }
        // 40 connections from 4 addresses, each sending one byte of the preface every 0.5 s.
        let result = try await Self.callsWhileSlotsAreHeld(by: ["slowloris", "40", "4", "0.5"], prefaceTimeout: .seconds(1))
        print("slowloris peers: \(result.ok) of 20 calls OK, \(result.evicted) connections evicted")
        #expect(result.failed.isEmpty, "\(result.failed.count) of 20 calls failed: \(result.failed.prefix(3))")
    }

    @Test("a peer trickling its preface is closed at the preface deadline, however many bytes it sends")
    func prefaceDeadline() async throws {
        guard InteropPython.isAvailable() else { return }
        try await withEchoServer(configure: { $0.prefaceTimeout = .seconds(1) }) { server, _ in
            let closed = try await HostilePeer.with([String(server.port), "slowloris", "5", "1", "0.2"]) { output in
                _ = await eventually(.seconds(30)) { HostilePeer.closedAfter(output()).count >= 5 }
                return HostilePeer.closedAfter(output())
            }
            print("preface deadline: connections closed after \(closed.prefix(5)) s")
            // Each had sent a few bytes of the 24-byte magic (one every 0.2 s): bytes do not keep a connection.
            #expect(closed.count >= 5, "the five trickling connections were closed: \(closed)")
        }
    }

    @Test("one address holds at most maxConnectionsPerAddress connections")
    func perAddressCap() async throws {
        guard InteropPython.isAvailable() else { return }
        try await withEchoServer(configure: {
            $0.maxConnections = 32
            $0.maxConnectionsPerAddress = 8
            $0.prefaceTimeout = .seconds(120)
        }) { server, _ in
            let result = try await HostilePeer.with([String(server.port), "idle", "40", "1"]) { _ in
                await Self.waitForConnections(server, atLeast: 8)
                try await Task.sleep(for: .milliseconds(500))  // the refused ones are closed by now
                #expect(server.connectionCount <= 8, "\(server.connectionCount) connections from 127.0.0.2")
                return try await Self.callsOnFreshConnections(server, rounds: 5)
            }
            #expect(result.failed.isEmpty, "\(result.failed)")
            #expect(server.evictedConnectionCount == 0, "the server never filled up")
        }
    }
}
