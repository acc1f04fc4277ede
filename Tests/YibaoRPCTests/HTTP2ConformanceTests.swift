import Testing
import YibaoRPC

/// What a gRPC client cannot send on purpose, sent with a raw HTTP/2 client (python-hyper `h2`) and raw sockets.
@Suite("Raw HTTP/2 behaviour")
struct HTTP2ConformanceTests {
    @Test func nonGRPCContentTypeGets415AndTheConnectionLivesOn() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "h2_content_type")
        }
        #expect(result.first("h2-content-type")?.status == "415")
        #expect(result.first("h2-settings")?.maxConcurrentStreams == 100)
        #expect(result.first("h2-settings")?.maxHeaderListSize == 16 * 1024)
        #expect(result.first("h2-after-415")?.status == "200")
        #expect(result.first("h2-after-415")?.grpcStatus == "0")
    }

    @Test func compressedMessageWithoutEncodingIsInternalAndUnknownEncodingUnimplemented() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "h2_compressed")
        }
        #expect(result.first("h2-compressed")?.status == "13")
        #expect(result.first("h2-encoding")?.status == "12")
        #expect(result.first("h2-encoding")?.accept == "identity")
    }

    @Test func oversizeHeaderBlockResetsOnlyItsStream() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "h2_big_headers")
        }
        #expect(result.first("h2-big-headers")?.reset == true)
        #expect(result.first("h2-after-big-headers")?.grpcStatus == "0")
    }

    @Test func aClientThatDoesNotReadHoldsTheWriterBack() async throws {
        try await withEchoServer { server, probe in
            let result = try await InteropClient.run(port: server.port, "h2_slow_reader")
            #expect(result.first("h2-slow-reader")?.ok == true)
            // 64 KiB client window + 512 KiB high watermark: about ten 64 KiB writes, never the full thousand.
            let accepted = probe.floodWrites
            #expect(accepted <= 16)
            // The client went away: the waiting writer fails and the handler ends.
            #expect(await eventually { probe.floodEnded })
            #expect(probe.floodWrites == accepted)
        }
    }

    @Test func aHandlerThatDoesNotReadHoldsTheClientBack() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "h2_inbound_flow")
        }
        let record = try #require(result.first("h2-inbound-flow"))
        // 1 MiB stream window + at most ~17 buffered 16 KiB messages credited back: far below the 16 MiB offered.
        #expect(record.ok == true)
        #expect((record.got ?? .max) <= 2 << 20)
    }

    @Test func anEarlyResponseAsksTheClientToStopSending() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "h2_early_response")
        }
        #expect(result.first("h2-early-response")?.status == "12")
        #expect(result.first("h2-early-response")?.code == 0)  // RST_STREAM(NO_ERROR)
    }

    @Test func garbageAndTruncatedPrefaceCloseOnlyTheirConnection() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "h2_garbage")
        }
        #expect(result.first("h2-garbage")?.closed == true)
        #expect(result.first("h2-truncated")?.closed == true)
        #expect(result.first("h2-bad-frame")?.closed == true)
        #expect(result.first("h2-healthy")?.status == "200")
        #expect(result.first("h2-healthy")?.grpcStatus == "0")
    }

    @Test func connectionsBeyondTheLimitAreClosed() async throws {
        let result = try await withEchoServer(configure: { $0.maxConnections = 1 }) { server, _ in
            try await InteropClient.run(port: server.port, "h2_connection_limit")
        }
        #expect(result.first("h2-limit-second")?.closed == true)
        #expect(result.first("h2-limit-first")?.grpcStatus == "0")
    }

    @Test func silentConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let result = try await withEchoServer(configure: { $0.idleTimeout = .milliseconds(300) }) { server, _ in
            try await InteropClient.run(port: server.port, "h2_idle")
        }
        #expect(result.first("h2-idle-half-preface")?.closed == true)
        #expect(result.first("h2-idle-silent")?.closed == true)
    }

    @Test func gracefulShutdownSendsGoAwayAndFinishesInFlightCalls() async throws {
        var configuration = testConfiguration()
        configuration.shutdownGracePeriod = .seconds(60)
        // The client answers the PING at once; the long fallback keeps a loaded machine from racing it.
        configuration.shutdownPingTimeout = .seconds(15)
        let probe = CallProbe()
        let server = try await RPCServer.start(router: EchoService.router(probe: probe), configuration: configuration)
        async let client = InteropClient.run(port: server.port, "h2_goaway")
        let started = await eventually { probe.slowStarted == 1 }
        #expect(started)
        await server.shutdown()
        let result = try await client
        let record = try #require(result.first("h2-goaway"))
        #expect(record.goaway == true)
        // Notice first, then the final GOAWAY naming the late stream opened in between.
        #expect(record.goawayLastStreams == [Int(Int32.max), 3])
        #expect(record.grpcStatus == "0")
        #expect(record.lateStatus == "0")
        #expect(record.closed == true)
        #expect(server.connectionCount == 0)
    }
}
