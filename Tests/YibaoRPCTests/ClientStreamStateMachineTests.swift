import NIOCore
import Testing
@testable import YibaoRPC

/// Protocol decisions on the client side of one call, without sockets.
@Suite("Client stream state machine")
struct ClientStreamStateMachineTests {
    private func machine(maxMessageLength: Int = 1024) -> GRPCClientStreamStateMachine {
        GRPCClientStreamStateMachine(maxMessageLength: maxMessageLength, allocator: ByteBufferAllocator())
    }

    private func fields(_ pairs: [(String, String)]) -> [HeaderField] {
        pairs.map { HeaderField(name: $0.0, value: $0.1) }
    }

    private let okHead = [(":status", "200"), ("content-type", "application/grpc")]

    private func framed(_ bytes: [UInt8]) -> ByteBuffer {
        GRPCMessageFramer.frame(ByteBuffer(bytes: bytes), allocator: ByteBufferAllocator())
    }

    @Test func trailersOnlyCarriesStatusPercentDecodedMessageAndMetadata() {
        var m = machine()
        let action = m.receiveHeaders(fields(okHead + [("grpc-status", "5"), ("grpc-message", "no %E5%8F%91%E7%A5%A8 100%25"),
                                                       ("x-id", "7"), ("x-raw-bin", "AAH/")]),
                                      isTrailers: false, endStream: true)
        guard case .finished(let status) = action else { Issue.record("\(action)"); return }
        #expect(status.code == .notFound)
        #expect(status.message == "no 发票 100%")
        #expect(status.trailingMetadata.firstString("x-id") == "7")
        #expect(status.trailingMetadata.firstBytes("x-raw-bin") == [0, 1, 255])
        #expect(m.isFinished)
    }

    @Test func messagesThenTrailers() {
        var m = machine()
        guard case .initialMetadata(let initial) = m.receiveHeaders(fields(okHead + [("x-a", "b")]), isTrailers: false,
                                                                    endStream: false) else { Issue.record("no headers"); return }
        #expect(initial.firstString("x-a") == "b")
        var two = framed([1, 2])
        var second = framed([3])
        two.writeBuffer(&second)
        // Split mid-message: the first chunk completes one message, the second the other.
        let first = two.getSlice(at: 0, length: 9)!, rest = two.getSlice(at: 9, length: two.readableBytes - 9)!
        guard case .messages(let a) = m.receiveData(first) else { Issue.record("first"); return }
        #expect(a.map { Array($0.readableBytesView) } == [[1, 2]])
        guard case .messages(let b) = m.receiveData(rest) else { Issue.record("second"); return }
        #expect(b.map { Array($0.readableBytesView) } == [[3]])
        guard case .finished(let status) = m.receiveHeaders(fields([("grpc-status", "0")]), isTrailers: true,
                                                            endStream: true) else { Issue.record("trailers"); return }
        #expect(status.code == .ok)
    }

    @Test func brokenResponsesFailPrecisely() {
        var http = machine()
        guard case .fail(let unavailable) = http.receiveHeaders(fields([(":status", "503")]), isTrailers: false,
                                                                endStream: true) else { Issue.record("503"); return }
        #expect(unavailable.code == .unavailable)

        var notFound = machine()
        guard case .fail(let unimplemented) = notFound.receiveHeaders(fields([(":status", "404")]), isTrailers: false,
                                                                      endStream: true) else { Issue.record("404"); return }
        #expect(unimplemented.code == .unimplemented)

        var html = machine()
        guard case .fail(let wrongType) = html.receiveHeaders(fields([(":status", "200"), ("content-type", "text/html")]),
                                                              isTrailers: false, endStream: false) else { Issue.record("ct"); return }
        #expect(wrongType.code == .unknown)

        var noStatus = machine()
        _ = noStatus.receiveHeaders(fields(okHead), isTrailers: false, endStream: false)
        guard case .finished(let missing) = noStatus.receiveHeaders([], isTrailers: true, endStream: true) else {
            Issue.record("missing status"); return
        }
        #expect(missing.code == .internal)

        var oversized = machine(maxMessageLength: 4)
        _ = oversized.receiveHeaders(fields(okHead), isTrailers: false, endStream: false)
        guard case .fail(let big) = oversized.receiveData(framed([1, 2, 3, 4, 5])) else { Issue.record("size"); return }
        #expect(big.code == .resourceExhausted)

        var noTrailers = machine()
        _ = noTrailers.receiveHeaders(fields(okHead), isTrailers: false, endStream: false)
        guard case .fail(let ended) = noTrailers.receiveEndStream() else { Issue.record("eos"); return }
        #expect(ended.code == .internal)

        var refused = machine()
        let first = refused.streamClosed(errorCode: 0x7)
        #expect(first?.wasRefused == true)
        let again = refused.streamClosed(errorCode: 0x8)
        #expect(again == nil)  // already over
        // Only the client marks a call unprocessed: a server's status with the same words is not retryable.
        #expect(!GRPCStatus(.unavailable, GRPCStatus.refusedStream.message).wasRefused)
        let notSent = GRPCStatus.notSent(GRPCStatus(.unavailable, "connection to h:1 failed: TLS alert"))
        #expect(notSent.wasRefused && notSent.message.hasPrefix("connection to h:1 failed: TLS alert"))
    }

    @Test func requestsArePulledInFramesThenEndStream() {
        var m = machine()
        let queued = m.enqueue(ByteBuffer(bytes: [9, 9, 9]))
        #expect(queued)
        guard case .bytes(let head) = m.pull(maxLength: 4) else { Issue.record("pull"); return }
        #expect(Array(head.readableBytesView) == [0, 0, 0, 0])
        guard case .bytes(let tail) = m.pull(maxLength: 100) else { Issue.record("pull 2"); return }
        #expect(Array(tail.readableBytesView) == [3, 9, 9, 9])
        guard case .deferred = m.pull(maxLength: 100) else { Issue.record("deferred"); return }
        m.endRequests()
        guard case .end = m.pull(maxLength: 100) else { Issue.record("end"); return }
        let late = m.enqueue(ByteBuffer(bytes: [1]))
        #expect(!late)
    }

    /// A single-request call half-closes on its DATA frame, not on an empty frame after it.
    @Test func theLastQueuedRequestCarriesEndStream() {
        var m = machine()
        let queued = m.enqueue(ByteBuffer(bytes: [7, 7]))
        #expect(queued)
        m.endRequests()
        guard case .lastBytes(let only) = m.pull(maxLength: 100) else { Issue.record("last bytes"); return }
        #expect(Array(only.readableBytesView) == [0, 0, 0, 0, 2, 7, 7])
    }

    @Test func grpcTimeoutEncodingRoundsUpAndFitsEightDigits() {
        #expect(GRPCTimeout.encode(nanoseconds: 1) == "1n")
        #expect(GRPCTimeout.encode(nanoseconds: 99_999_999) == "99999999n")
        #expect(GRPCTimeout.encode(nanoseconds: 100_000_001) == "100001u")
        #expect(GRPCTimeout.encode(nanoseconds: 3_600_000_000_000_000) == "3600000S")
        for nanoseconds: Int64 in [1, 999, 123_456_789_012, GRPCTimeout.maxNanoseconds] {
            let parsed = GRPCTimeout.parse(GRPCTimeout.encode(nanoseconds: nanoseconds))!
            #expect(parsed >= nanoseconds)
        }
    }
}
