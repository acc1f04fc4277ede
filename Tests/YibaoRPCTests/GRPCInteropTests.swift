import Testing
import YibaoRPC

/// The server against a stock gRPC client (Python grpcio) that nobody on this project wrote.
@Suite("gRPC interop with grpcio")
struct GRPCInteropTests {
    @Test func unaryEchoesEverySizeUpToOneMebibyte() async throws {
        let result = try await withEchoServer { server, _ in try await InteropClient.run(port: server.port, "unary") }
        let records = result.records("unary")
        #expect(records.count == 11)
        for record in records {
            #expect(record.ok == true, "size \(record.size ?? -1) came back as \(record.got ?? -1) bytes")
        }
        #expect(records.last?.size == 1 << 20)
    }

    @Test func manyConcurrentCallsOnOneConnection() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "concurrent")
        }
        let record = try #require(result.first("concurrent"))
        #expect(record.calls == 64)
        #expect(record.matched == 64)
    }

    @Test func serverStreamingSendsEveryMessage() async throws {
        let result = try await withEchoServer { server, _ in try await InteropClient.run(port: server.port, "stream") }
        let records = result.records("stream")
        #expect(records.map(\.count) == [0, 3, 1000])
        for record in records {
            #expect(record.received == record.count)
            #expect(record.ok == true)
        }
    }

    @Test func clientStreamingReadsEveryRequest() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "client_stream")
        }
        let records = result.records("client-stream")
        #expect(records.map(\.count) == [0, 1, 50])
        for record in records { #expect(record.ok == true) }
        // 2000 messages of 8 KiB through a handler that pauses: the window is held back and given back again.
        #expect(result.first("client-stream-flow")?.response == "2000 16384000")
    }

    @Test func bidirectionalStreamingAnswersBeforeTheClientHalfCloses() async throws {
        let result = try await withEchoServer { server, _ in try await InteropClient.run(port: server.port, "bidi") }
        #expect(result.first("bidi-pingpong")?.received == 20)
        #expect(result.first("bidi-pingpong")?.ok == true)
        #expect(result.first("bidi-burst")?.received == 500)
        #expect(result.first("bidi-burst")?.ok == true)
    }

    @Test func asciiAndBinaryMetadataRoundTrip() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "metadata")
        }
        let record = try #require(result.first("metadata"))
        #expect(record.response == "meta")
        #expect(record.initialAscii == "hello world")
        #expect(record.trailingAscii == "hello world")
        #expect(record.sentBin?.isEmpty == false)
        #expect(record.initialBin == record.sentBin)
        #expect(record.trailingBin == record.sentBin)
    }

    @Test func everyStatusCodeAndMessagePassesThrough() async throws {
        let result = try await withEchoServer { server, _ in try await InteropClient.run(port: server.port, "status") }
        let records = result.records("status")
        #expect(records.map(\.sent) == Array(1...16))
        for record in records {
            #expect(record.code == record.sent)
            // Non-ASCII text, '%' and a tab survive percent-encoding.
            #expect(record.details == record.expected)
        }
        let unknown = try #require(result.first("status-unknown"))
        #expect(unknown.code == GRPCStatus.Code.unknown.rawValue)
    }

    @Test func deadlineExceededCancelsTheHandler() async throws {
        try await withEchoServer { server, probe in
            let result = try await InteropClient.run(port: server.port, "deadline", "h2_timeout")
            #expect(result.first("deadline")?.code == GRPCStatus.Code.deadlineExceeded.rawValue)
            // Sent by hand over raw HTTP/2, so the status can only have come from the server.
            #expect(result.first("h2-timeout")?.status == "4")
            // Every Sleep handler that ran saw its cancellation; the raw one certainly ran.
            #expect(await eventually { probe.sleeps >= 1 && probe.cancelledSleeps == probe.sleeps })
        }
    }

    @Test func clientCancellationCancelsTheHandler() async throws {
        try await withEchoServer { server, probe in
            let result = try await InteropClient.run(port: server.port, "cancel")
            #expect(result.first("cancel")?.cancelled == true)
            #expect(await eventually { probe.sleeps == 1 && probe.cancelledSleeps == 1 })
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "unimplemented")
        }
        let record = try #require(result.first("unimplemented"))
        #expect(record.code == GRPCStatus.Code.unimplemented.rawValue)
        #expect(record.details?.contains("NoSuchMethod") == true)
    }

    @Test func oversizeMessageIsResourceExhausted() async throws {
        let result = try await withEchoServer { server, _ in
            try await InteropClient.run(port: server.port, "oversize")
        }
        #expect(result.first("oversize")?.code == GRPCStatus.Code.resourceExhausted.rawValue)
        #expect(result.first("oversize-after")?.ok == true)
    }
}
