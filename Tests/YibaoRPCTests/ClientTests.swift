import Foundation
import NIOCore
import NIOPosix
import Testing
import YibaoRPC

/// Our client (`RPCClient`) against our own server: the four shapes, metadata, deadlines, statuses,
/// cancellation, stream limits, TLS and mutual TLS, reconnection, and backpressure towards a slow consumer.
@Suite("RPC client against the Swift server")
struct ClientTests {
    func client(_ server: RPCServer, configure: (inout RPCClientConfiguration) -> Void = { _ in }) throws -> RPCClient {
        var configuration = RPCClientConfiguration(port: server.port)
        configure(&configuration)
        return try RPCClient(configuration: configuration)
    }

    static func expandRequest(_ count: UInt32, _ payload: String) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(count)
        buffer.writeString(payload)
        return Array(buffer.readableBytesView)
    }

    @Test func unaryWithMetadataBothWays() async throws {
        try await withEchoServer { server, _ in
            let client = try client(server)
            var options = RPCCallOptions(timeout: .seconds(30))
            options.metadata.add("x-text", "hello")
            options.metadata.add("x-data-bin", bytes: [0, 1, 2, 255])
            let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: Array("ping".utf8),
                                                  options: options)
            #expect(response.message == Array("ping".utf8))
            #expect(response.initialMetadata.firstString("echo-x-text") == "hello")
            #expect(response.initialMetadata.firstBytes("echo-x-data-bin") == [0, 1, 2, 255])
            #expect(response.trailingMetadata.firstString("trailer-x-text") == "hello")
            #expect(response.trailingMetadata.firstBytes("trailer-x-data-bin") == [0, 1, 2, 255])
            await client.close()
        }
    }

    @Test func serverStreamingClientStreamingAndBidirectional() async throws {
        try await withEchoServer { server, _ in
            let client = try client(server)
            let received = try await client.serverStreaming(path: "/yibao.test.v1.Echo/Expand",
                                                            request: Self.expandRequest(500, "abc")) { responses in
                var all: [[UInt8]] = []
                for try await message in responses { all.append(message) }
                return all
            }
            #expect(received.count == 500)
            #expect(received.allSatisfy { $0 == Array("abc".utf8) })

            let joined = try await client.clientStreaming(path: "/yibao.test.v1.Echo/Collect") { writer in
                for index in 0..<100 { try await writer.write(Array("m\(index);".utf8)) }
            }
            #expect(String(decoding: joined.message, as: UTF8.self)
                    == (0..<100).map { "m\($0);" }.joined())

            let echoed = try await client.bidirectionalStreaming(path: "/yibao.test.v1.Echo/Chat", requests: { writer in
                for index in 0..<200 { try await writer.write(Array("chat \(index)".utf8)) }
            }, responses: { responses in
                var all: [String] = []
                for try await message in responses { all.append(String(decoding: message, as: UTF8.self)) }
                return all
            })
            #expect(echoed == (0..<200).map { "chat \($0)" })
            await client.close()
        }
    }

    @Test func everyStatusCodeWithItsMessage() async throws {
        try await withEchoServer { server, _ in
            let client = try client(server)
            for code in GRPCStatus.Code.allCases where code != .ok {
                let message = "failure %25 ünïcode \(code)"
                do {
                    _ = try await client.unary(path: "/yibao.test.v1.Echo/Fail",
                                               request: [UInt8(code.rawValue)] + Array(message.utf8))
                    Issue.record("\(code) did not fail")
                } catch let status as GRPCStatus {
                    #expect(status.code == code)
                    #expect(status.message == message)
                }
            }
            // A handler error that is not a status, and an unknown method.
            await #expect(throws: GRPCStatus(.unknown, "Handler failed")) {
                _ = try await client.unary(path: "/yibao.test.v1.Echo/Fail", request: [])
            }
            do {
                _ = try await client.unary(path: "/yibao.test.v1.Echo/Nope", request: [])
                Issue.record("unknown method succeeded")
            } catch let status as GRPCStatus {
                #expect(status.code == .unimplemented)
            }
            await client.close()
        }
    }

    @Test func deadlineExpiresAndCancelsTheHandler() async throws {
        try await withEchoServer { server, probe in
            let client = try client(server)
            // Connected first, so the deadline runs out on the server, not while connecting; long enough that
            // the handler has started even on a loaded machine (the test waits for that before the deadline).
            _ = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [0])
            let call = Task {
                try await client.unary(path: "/yibao.test.v1.Echo/Sleep", request: [1],
                                       options: RPCCallOptions(timeout: .seconds(5)))
            }
            #expect(await eventually { probe.sleeps == 1 })
            do {
                _ = try await call.value
                Issue.record("sleep returned")
            } catch let status as GRPCStatus {
                #expect(status.code == .deadlineExceeded)
            }
            #expect(await eventually { probe.cancelledSleeps == 1 })
            await client.close()
        }
    }

    @Test func cancellingTheCallingTaskResetsTheStream() async throws {
        try await withEchoServer { server, probe in
            let client = try client(server)
            let task = Task {
                try await client.unary(path: "/yibao.test.v1.Echo/Sleep", request: [1])
            }
            #expect(await eventually { probe.sleeps == 1 })
            task.cancel()
            do {
                _ = try await task.value
                Issue.record("cancelled call returned")
            } catch let status as GRPCStatus {
                #expect(status.code == .cancelled)
            }
            #expect(await eventually { probe.cancelledSleeps == 1 })
            // The connection still serves calls.
            let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [7])
            #expect(response.message == [7])
            await client.close()
        }
    }

    @Test func callsBeyondMaxConcurrentStreamsQueueOnOneConnection() async throws {
        try await withEchoServer(configure: { $0.maxConcurrentStreams = 3 }) { server, probe in
            let client = try client(server)
            // Slow calls take a second each: 12 of them with 3 streams means the others wait for slots.
            let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await client.unary(path: "/yibao.test.v1.Echo/Slow", request: [UInt8(index)]).message
                    }
                }
                var all: [[UInt8]] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.map { $0[0] }.sorted() == Array(0..<12))
            #expect(probe.slowStarted == 12)
            #expect(server.connectionCount == 1)
            await client.close()
        }
    }

    @Test func oversizedResponseIsResourceExhausted() async throws {
        try await withEchoServer { server, _ in
            let client = try client(server) { $0.maxReceiveMessageSize = 1024 }
            do {
                _ = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [UInt8](repeating: 1, count: 2048))
                Issue.record("oversized response accepted")
            } catch let status as GRPCStatus {
                #expect(status.code == .resourceExhausted)
            }
            let small = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [1, 2, 3])
            #expect(small.message == [1, 2, 3])
            await client.close()
        }
    }

    /// A consumer that reads one message and stops: the server's writes must stall (flow control reaches it
    /// through the client's windows), not complete into a client buffer.
    @Test func slowConsumerHoldsTheServerBack() async throws {
        try await withEchoServer { server, probe in
            let client = try client(server)
            let total = try await client.serverStreaming(path: "/yibao.test.v1.Echo/Flood", request: []) { responses in
                var iterator = responses.makeAsyncIterator()
                _ = try await iterator.next()
                #expect(await eventually { probe.floodWrites >= 20 })
                try await Task.sleep(for: .milliseconds(500))
                // 64 KiB messages: the client holds at most its stream window (1 MiB) plus 16 unread messages,
                // the server its 512 KiB queue; 1000 writes would mean unbounded buffering.
                let written = probe.floodWrites
                #expect(written < 60, "server completed \(written) writes of 64 KiB while the client read one")
                #expect(!probe.floodEnded)
                var count = 1
                while try await iterator.next() != nil { count += 1 }
                return count
            }
            #expect(total == 1000)
            await client.close()
        }
    }

    @Test func reconnectsAfterTheServerRestarts() async throws {
        let probe = CallProbe()
        var configuration = testConfiguration()
        configuration.shutdownGracePeriod = .seconds(2)
        let first = try await RPCServer.start(router: EchoService.router(probe: probe), configuration: configuration)
        let port = first.port
        let client = try RPCClient(configuration: {
            var c = RPCClientConfiguration(port: port)
            c.reconnectBackoff = RPCBackoff(initial: .milliseconds(20), maximum: .milliseconds(200))
            return c
        }())
        #expect(try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [1]).message == [1])
        await first.shutdown()
        // Down: a call that may wait fails only when its deadline passes; fail-fast is tested with grpcio.
        do {
            _ = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [2],
                                       options: RPCCallOptions(timeout: .milliseconds(300)))
            Issue.record("call succeeded with the server down")
        } catch let status as GRPCStatus {
            #expect(status.code == .deadlineExceeded || status.code == .unavailable)
        }
        configuration.port = port
        let second = try await RPCServer.start(router: EchoService.router(probe: probe), configuration: configuration)
        let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [3],
                                              options: RPCCallOptions(timeout: .seconds(30)))
        #expect(response.message == [3])
        await client.close()
        await second.shutdown()
    }

    @Test func gracefulServerShutdownLetsTheCallFinish() async throws {
        let probe = CallProbe()
        var configuration = testConfiguration()
        configuration.shutdownGracePeriod = .seconds(10)
        let server = try await RPCServer.start(router: EchoService.router(probe: probe), configuration: configuration)
        let client = try RPCClient(configuration: RPCClientConfiguration(port: server.port))
        let slow = Task { try await client.unary(path: "/yibao.test.v1.Echo/Slow", request: [9]) }
        #expect(await eventually { probe.slowStarted == 1 })
        await server.shutdown()
        #expect(try await slow.value.message == [9])
        await client.close()
    }

    /// A peer that accepts and reads but never answers (not even SETTINGS or PING): keepalive must notice
    /// and fail the call UNAVAILABLE instead of letting it hang.
    @Test func keepaliveDetectsADeadPeer() async throws {
        final class Silent: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
        }
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Silent()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var configuration = RPCClientConfiguration(port: listener.localAddress!.port!)
        configuration.keepaliveInterval = .milliseconds(200)
        configuration.keepaliveTimeout = .milliseconds(300)
        let client = try RPCClient(configuration: configuration)
        do {
            _ = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [1])
            Issue.record("a call to a silent peer returned")
        } catch let status as GRPCStatus {
            #expect(status.code == .unavailable)
            #expect(status.message.contains("keepalive"))
        }
        await client.close()
        try await listener.close()
    }

    /// The server closes idle connections with GOAWAY while it keeps listening: each next call must go to a
    /// new connection (and one racing the GOAWAY is refused, then retried), never fail.
    @Test func callsAfterGoAwayUseANewConnection() async throws {
        try await withEchoServer(configure: { $0.idleTimeout = .milliseconds(300) }) { server, _ in
            // Refused streams are retried; on a loaded machine a fresh connection can itself go idle before its
            // first call arrives, so allow more attempts than the default.
            let client = try client(server) { $0.maxAttempts = 10 }
            for round in 0..<5 {
                let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [UInt8(round)])
                #expect(response.message == [UInt8(round)])
                #expect(await eventually { server.connectionCount == 0 })
            }
            await client.close()
        }
    }

    @Test func callsSpreadOverThePoolsConnections() async throws {
        try await withEchoServer { server, _ in
            let client = try client(server) { $0.connections = 3 }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [UInt8(index)])
                        #expect(response.message == [UInt8(index)])
                    }
                }
                try await group.waitForAll()
            }
            #expect(server.connectionCount == 3)
            await client.close()
        }
    }

    /// One stream allowed by the server, two calls may wait for it: a third waiting call is refused at once
    /// (RESOURCE_EXHAUSTED) instead of queueing without bound.
    @Test func theWaitingQueueIsBounded() async throws {
        try await withEchoServer(configure: { $0.maxConcurrentStreams = 1 }) { server, probe in
            let client = try client(server) { $0.maxQueuedCallsPerConnection = 2 }
            _ = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [0])  // SETTINGS are in
            let holder = Task { try await client.unary(path: "/yibao.test.v1.Echo/Sleep", request: [1]) }
            #expect(await eventually { probe.sleeps == 1 })
            let first = await withTaskGroup(of: GRPCStatus.Code?.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        do {
                            _ = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [2])
                            return .ok
                        } catch let status as GRPCStatus {
                            return status.code
                        } catch {
                            return nil
                        }
                    }
                }
                let first = await group.next()!
                group.cancelAll()
                return first
            }
            #expect(first == .resourceExhausted)
            holder.cancel()
            _ = try? await holder.value
            await client.close()
        }
    }

    /// The response reader gives up while the request writer is parked on a full send queue (the Hold method
    /// reads one request and then nothing): the call must end, not wait for the writer forever.
    @Test func bidirectionalReaderFailingReleasesABlockedWriter() async throws {
        struct ReaderGaveUp: Error {}
        try await withEchoServer { server, _ in
            let client = try client(server)
            await #expect(throws: ReaderGaveUp.self) {
                try await client.bidirectionalStreaming(path: "/yibao.test.v1.Echo/Hold", requests: { writer in
                    let chunk = [UInt8](repeating: 7, count: 64 * 1024)
                    for _ in 0..<10_000 { try await writer.write(chunk) }
                }, responses: { _ in
                    try await Task.sleep(for: .milliseconds(300))  // let the writer fill every window and queue
                    throw ReaderGaveUp()
                })
            }
            let response = try await client.unary(path: "/yibao.test.v1.Echo/Unary", request: [5])
            #expect(response.message == [5])
            await client.close()
        }
    }
}
