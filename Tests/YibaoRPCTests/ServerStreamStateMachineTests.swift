import NIOCore
import Testing
@testable import YibaoRPC

/// Protocol decisions of one call, without sockets: the state machine alone.
@Suite("Server stream state machine")
struct ServerStreamStateMachineTests {
    private static let path = "/yibao.test.v1.Echo/Unary"

    private var router: RPCRouter {
        var router = RPCRouter()
        router.register(Self.path, .unary { request, _ in request })
        return router
    }

    private func machine(maxMessageLength: Int = 1024) -> GRPCServerStreamStateMachine {
        GRPCServerStreamStateMachine(limits: .init(maxMessageLength: maxMessageLength),
                                     allocator: ByteBufferAllocator())
    }

    private func headers(method: String = "POST", path: String = path, contentType: String = "application/grpc",
                         extra: [HeaderField] = []) -> [HeaderField] {
        [HeaderField(name: ":method", value: method), HeaderField(name: ":path", value: path),
         HeaderField(name: "content-type", value: contentType)] + extra
    }

    private func value(_ name: String, in fields: [HeaderField]) -> String? {
        fields.first { $0.name == name }?.value
    }

    private func rejection(_ action: GRPCServerStreamStateMachine.HeadersAction) -> [HeaderField]? {
        if case .reject(let rejection) = action { return rejection.headers }
        return nil
    }

    private func rejection(_ action: GRPCServerStreamStateMachine.RequestAction) -> [HeaderField]? {
        if case .reject(let rejection) = action { return rejection.headers }
        return nil
    }

    private func message(_ bytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }

    @Test func headerRejections() {
        var m = machine()
        #expect(value(":status", in: rejection(m.receiveHeaders(headers(method: "GET"), endStream: true,
                                                                router: router)) ?? []) == "405")
        m = machine()
        #expect(value(":status", in: rejection(m.receiveHeaders(headers(contentType: "application/json"),
                                                                endStream: false, router: router)) ?? []) == "415")
        m = machine()
        let unknown = rejection(m.receiveHeaders(headers(path: "/a.B/C"), endStream: false, router: router)) ?? []
        #expect(value(":status", in: unknown) == "200")
        #expect(value("grpc-status", in: unknown) == "12")
        m = machine()
        let encoding = rejection(m.receiveHeaders(headers(extra: [HeaderField(name: "grpc-encoding", value: "gzip")]),
                                                  endStream: false, router: router)) ?? []
        #expect(value("grpc-status", in: encoding) == "12")
        m = machine()
        let timeout = rejection(m.receiveHeaders(headers(extra: [HeaderField(name: "grpc-timeout", value: "soon")]),
                                                 endStream: false, router: router)) ?? []
        #expect(value("grpc-status", in: timeout) == "13")
    }

    @Test func acceptsGRPCContentTypeVariantsAndDecodesMetadata() {
        var m = machine()
        let action = m.receiveHeaders(
            headers(contentType: "application/grpc+proto",
                    extra: [HeaderField(name: "x-id-bin", value: "AAEC"), HeaderField(name: "x-name", value: "a"),
                            HeaderField(name: "grpc-timeout", value: "5S")]),
            endStream: false, router: router)
        guard case .accept(let start) = action else {
            Issue.record("expected accept, got \(action)")
            return
        }
        #expect(start.metadata.firstBytes("x-id-bin") == [0, 1, 2])
        #expect(start.metadata.firstString("x-name") == "a")
        #expect(start.metadata.first("grpc-timeout") == nil)
        #expect(start.deadline != nil)
    }

    @Test func requestBodyErrors() {
        var m = machine(maxMessageLength: 4)
        _ = m.receiveHeaders(headers(), endStream: false, router: router)
        #expect(value("grpc-status", in: rejection(m.receiveData(message([1, 2, 3, 4, 5]))) ?? []) == "8")

        m = machine()
        _ = m.receiveHeaders(headers(), endStream: false, router: router)
        #expect(rejection(m.receiveData(message([1]))) == nil)
        #expect(value("grpc-status", in: rejection(m.receiveData(message([2]))) ?? []) == "13")

        m = machine()
        _ = m.receiveHeaders(headers(), endStream: false, router: router)
        #expect(value("grpc-status", in: rejection(m.receiveEndStream()) ?? []) == "13")
    }

    @Test func responseFlowsThroughPullsThenTrailers() throws {
        var m = machine()
        _ = m.receiveHeaders(headers(), endStream: false, router: router)
        _ = m.receiveData(message([7, 7]))
        guard case .startHandler(let request) = m.receiveEndStream() else {
            Issue.record("expected the handler to start")
            return
        }
        #expect(request.readableBytes == 2)
        #expect(m.pull(maxLength: 100).isDeferred)
        guard case .submitResponse(let head) = try m.send(ByteBuffer(bytes: [1, 2, 3]), initialMetadata: .init()) else {
            Issue.record("first message submits the response headers")
            return
        }
        #expect(value(":status", in: head) == "200")
        #expect(m.queuedBytes == 8)
        guard case .resumeData = try m.finish(.ok, initialMetadata: .init(), trailingMetadata: .init()) else {
            Issue.record("finishing after a message resumes the data provider")
            return
        }
        // Flow control: nghttp2 may ask for less than a whole message.
        if case .bytes(let first) = m.pull(maxLength: 5) { #expect(first.readableBytes == 5) } else { Issue.record("bytes") }
        if case .bytes(let rest) = m.pull(maxLength: 100) { #expect(rest.readableBytes == 3) } else { Issue.record("bytes") }
        guard case .trailers(let trailers) = m.pull(maxLength: 100) else {
            Issue.record("trailers come last")
            return
        }
        #expect(value("grpc-status", in: trailers) == "0")
        #expect(m.isFinished)
    }

    @Test func streamingRequestsAreDeliveredAsTheyArrive() {
        var router = RPCRouter()
        router.register("/a.B/Stream", .clientStreaming { _, _ in ByteBuffer() })
        var m = machine(maxMessageLength: 8)
        guard case .accept = m.receiveHeaders(headers(path: "/a.B/Stream"), endStream: false, router: router) else {
            Issue.record("expected accept")
            return
        }
        var two = message([1])
        var second = message([2, 2])
        two.writeBuffer(&second)
        two.writeBytes([0, 0, 0])  // the start of a third message
        guard case .deliver(let messages) = m.receiveData(two) else {
            Issue.record("expected two messages")
            return
        }
        #expect(messages.map(\.readableBytes) == [1, 2])
        guard case .abort(let status) = m.receiveEndStream() else {
            Issue.record("a request ending inside a message fails the call")
            return
        }
        #expect(status.code == .internal)

        var clean = machine()
        _ = clean.receiveHeaders(headers(path: "/a.B/Stream"), endStream: false, router: router)
        guard case .finishRequests = clean.receiveEndStream() else {
            Issue.record("half-close ends the request sequence")
            return
        }
        var big = machine(maxMessageLength: 8)
        _ = big.receiveHeaders(headers(path: "/a.B/Stream"), endStream: false, router: router)
        guard case .abort(let tooLarge) = big.receiveData(message(Array(repeating: 0, count: 9))) else {
            Issue.record("oversize request fails the call")
            return
        }
        #expect(tooLarge.code == .resourceExhausted)
    }

    @Test func errorBeforeAnyMessageIsTrailersOnlyAndDecidesTheCall() throws {
        var m = machine()
        _ = m.receiveHeaders(headers(), endStream: false, router: router)
        _ = m.receiveData(message([1]))
        _ = m.receiveEndStream()
        guard case .submitTrailersOnly(let fields) = try m.finish(GRPCStatus(.notFound, "nope 100%"),
                                                              initialMetadata: .init(), trailingMetadata: .init()) else {
            Issue.record("expected Trailers-Only")
            return
        }
        #expect(value("grpc-status", in: fields) == "5")
        #expect(value("grpc-message", in: fields) == "nope 100%25")
        // The connection refuses later handler writes on this (a write reaching the machine would be invalid).
        #expect(m.isFinished, "the outcome is decided")
    }
}

extension GRPCServerStreamStateMachine.Pull {
    var isDeferred: Bool {
        if case .deferred = self { return true }
        return false
    }
}
