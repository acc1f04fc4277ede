import NIOCore

/// Every protocol decision for one gRPC call on one HTTP/2 stream, as a value type with no I/O:
/// the connection feeds it what happened and carries out the action it returns.
///
/// Life of a call: awaiting headers -> receiving the request -> responding (handler running, then
/// trailers queued behind the last message) -> done. A rejection before the handler starts is a
/// single HEADERS frame with END_STREAM (an HTTP error status, or gRPC's Trailers-Only form).
/// Methods that stream requests skip "receiving": their handler starts with the headers and the
/// inbound deframer lives on beside the outbound queue until the client half-closes.
///
/// What the peer may do at any time (DATA after the outcome is decided, END_STREAM late) is handled; what only a
/// bug in the connection could do (a second request HEADERS, DATA before HEADERS, writing or finishing a decided
/// call, a pull before the response) is an `InvalidTransition`: an assertion in debug builds, and in release an
/// error the connection turns into INTERNAL for that call, never a silent ignore.
struct GRPCServerStreamStateMachine {
    struct InvalidTransition: Error, CustomStringConvertible {
        let event: String
        let phase: String
        var description: String { "\(event) is not allowed while \(phase)" }
    }

    struct Limits {
        var maxMessageLength: Int
    }

    /// What the connection submits to nghttp2 when the machine ends a call before any response.
    struct Rejection {
        var headers: [HeaderField]
    }

    struct CallStart {
        var path: String
        var handler: RPCMethodHandler
        var placement: RPCHandlerPlacement
        var metadata: GRPCMetadata
        var deadline: NIODeadline?
    }

    enum HeadersAction {
        case reject(Rejection)
        case accept(CallStart)
    }

    enum RequestAction {
        case none
        case reject(Rejection)
        case startHandler(request: ByteBuffer)
        /// Streaming requests: hand these messages to the running handler.
        case deliver([ByteBuffer])
        /// Streaming requests: the client half-closed; the request sequence ends.
        case finishRequests
        /// Streaming requests: the call fails now (bad message); the connection finishes it with this status.
        case abort(GRPCStatus)
    }

    enum SendAction {
        /// Submit the response HEADERS with a data provider; the queued bytes follow through it.
        case submitResponse(headers: [HeaderField])
        /// Headers are out; wake the deferred data provider.
        case resumeData
        /// Nothing goes to the wire: the call is already over or nothing new is queued.
        case none
        /// Nothing was sent yet: end the call with one HEADERS frame carrying the status.
        case submitTrailersOnly(headers: [HeaderField])
    }

    enum Pull {
        case bytes(ByteBuffer)
        case deferred
        /// The pull came before the response (an `InvalidTransition`): reset the stream.
        case reset
        /// All messages are out: end the DATA with NO_END_STREAM and send these trailers.
        case trailers([HeaderField])
    }

    private struct Outbound {
        var headersSubmitted = false
        var queue = CircularBuffer<ByteBuffer>()
        var queuedBytes = 0
        var trailers: [HeaderField]?
    }

    private enum Phase {
        case awaitingHeaders
        case receivingRequest(deframer: GRPCMessageDeframer, request: ByteBuffer?)
        /// `inbound` is the request deframer of a streaming-request call until the client half-closes.
        case responding(Outbound, inbound: GRPCMessageDeframer?)
        /// A final HEADERS frame (rejection or trailers) has been handed over; only close remains.
        case done
    }

    private var phase: Phase = .awaitingHeaders
    private let limits: Limits
    private let allocator: ByteBufferAllocator

    init(limits: Limits, allocator: ByteBufferAllocator) {
        self.limits = limits
        self.allocator = allocator
    }

    /// Bytes the handler has written that nghttp2 has not yet taken.
    var queuedBytes: Int {
        if case .responding(let outbound, _) = phase { return outbound.queuedBytes }
        return 0
    }

    /// True once the outcome of the call has been decided; later handler output is dropped.
    var isFinished: Bool {
        switch phase {
        case .done: return true
        case .responding(let outbound, _): return outbound.trailers != nil
        default: return false
        }
    }

    // MARK: Inbound

    mutating func receiveHeaders(_ fields: [HeaderField], endStream: Bool, router: RPCRouter) -> HeadersAction {
        guard case .awaitingHeaders = phase else {
            return .reject(rejection(GRPCStatus(.internal, invalid("request HEADERS").description)))
        }
        var method: String?, path: String?, contentType: String?, encoding: String?, timeout: String?
        for field in fields {
            switch field.name {
            case ":method": method = field.value
            case ":path": path = field.value
            case "content-type": contentType = field.value
            case "grpc-encoding": encoding = field.value
            case "grpc-timeout": timeout = field.value
            default: break
            }
        }
        guard method == "POST" else {
            return reject(httpStatus: 405)
        }
        // Any `application/grpc`, `application/grpc+proto`, `application/grpc;...` is gRPC; nothing else is.
        guard let contentType, contentType == "application/grpc"
            || contentType.hasPrefix("application/grpc+") || contentType.hasPrefix("application/grpc;") else {
            return reject(httpStatus: 415)
        }
        guard let path, let route = router.route(for: path) else {
            return reject(GRPCStatus(.unimplemented, "Method not found: \(path ?? "")"))
        }
        if let encoding, encoding != "identity" {
            return reject(GRPCStatus(.unimplemented, "Message encoding \(encoding) is not supported"),
                          extra: [HeaderField(name: "grpc-accept-encoding", value: "identity")])
        }
        var deadline: NIODeadline?
        if let timeout {
            guard let nanoseconds = GRPCTimeout.parse(timeout) else {
                return reject(GRPCStatus(.internal, "Malformed grpc-timeout: \(timeout)"))
            }
            deadline = .now() + .nanoseconds(nanoseconds)
        }
        guard let metadata = GRPCMetadata(requestHeaders: fields) else {
            return reject(GRPCStatus(.internal, "A -bin metadata value is not base64"))
        }
        let deframer = GRPCMessageDeframer(maxMessageLength: limits.maxMessageLength, allocator: allocator)
        if route.handler.streamsRequests {
            phase = .responding(Outbound(), inbound: deframer)
        } else {
            phase = .receivingRequest(deframer: deframer, request: nil)
        }
        return .accept(CallStart(path: path, handler: route.handler, placement: route.placement, metadata: metadata,
                                  deadline: deadline))
    }

    mutating func receiveData(_ bytes: ByteBuffer) -> RequestAction {
        if case .responding(let outbound, inbound: var deframer?) = phase {
            deframer.append(bytes)
            var messages: [ByteBuffer] = []
            do {
                while let message = try deframer.nextMessage() { messages.append(message) }
            } catch {
                phase = .responding(outbound, inbound: nil)
                return .abort(status(for: error))
            }
            phase = .responding(outbound, inbound: deframer)
            return messages.isEmpty ? .none : .deliver(messages)
        }
        if case .awaitingHeaders = phase {
            return .reject(rejection(GRPCStatus(.internal, invalid("request DATA").description)))
        }
        guard case .receivingRequest(var deframer, var request) = phase else {
            // After the outcome is decided the rest of the body is discarded (the connection still credits
            // the flow-control window for it).
            return .none
        }
        deframer.append(bytes)
        do {
            while let message = try deframer.nextMessage() {
                // Unary and server-streaming calls take exactly one request message.
                guard request == nil else {
                    return .reject(rejection(GRPCStatus(.internal, "More than one request message for a unary request")))
                }
                request = message
            }
        } catch {
            return .reject(rejection(status(for: error)))
        }
        phase = .receivingRequest(deframer: deframer, request: request)
        return .none
    }

    mutating func receiveEndStream() -> RequestAction {
        if case .responding(let outbound, inbound: let deframer?) = phase {
            phase = .responding(outbound, inbound: nil)
            guard deframer.bufferedBytes == 0 else {
                return .abort(GRPCStatus(.internal, "Request ended inside a message"))
            }
            return .finishRequests
        }
        if case .awaitingHeaders = phase {
            return .reject(rejection(GRPCStatus(.internal, invalid("END_STREAM").description)))
        }
        // Responding or done: the client half-closing after the outcome is decided changes nothing.
        guard case .receivingRequest(let deframer, let request) = phase else { return .none }
        guard deframer.bufferedBytes == 0 else {
            return .reject(rejection(GRPCStatus(.internal, "Request ended inside a message")))
        }
        guard let request else {
            return .reject(rejection(GRPCStatus(.internal, "Request ended without a message")))
        }
        phase = .responding(Outbound(), inbound: nil)
        return .startHandler(request: request)
    }

    // MARK: Outbound

    /// The handler wrote a message. The connection refuses writes once `isFinished`, so a write here after
    /// that is invalid.
    mutating func send(_ message: ByteBuffer, initialMetadata: GRPCMetadata) throws(InvalidTransition) -> SendAction {
        guard case .responding(var outbound, let inbound) = phase, outbound.trailers == nil else {
            throw invalid("a response message")
        }
        let framed = GRPCMessageFramer.frame(message, allocator: allocator)
        outbound.queuedBytes += framed.readableBytes
        outbound.queue.append(framed)
        let action: SendAction
        if outbound.headersSubmitted {
            action = .resumeData
        } else {
            outbound.headersSubmitted = true
            action = .submitResponse(headers: responseHeaders(initialMetadata))
        }
        phase = .responding(outbound, inbound: inbound)
        return action
    }

    /// The handler returned (or threw), or the deadline passed: decide the status once (the connection asks
    /// only while not `isFinished`).
    mutating func finish(_ status: GRPCStatus, initialMetadata: GRPCMetadata,
                         trailingMetadata: GRPCMetadata) throws(InvalidTransition) -> SendAction {
        switch phase {
        case .awaitingHeaders, .done:
            throw invalid("finishing the call")
        case .receivingRequest:
            // `rejection` moves to done: the rest of the request is discarded.
            return .submitTrailersOnly(headers: rejection(status, extra: trailingMetadata.headerFields).headers)
        case .responding(var outbound, _):
            // Once the status is decided, whatever the client still sends is discarded.
            guard outbound.trailers == nil else { throw invalid("finishing the call") }
            if !outbound.headersSubmitted {
                phase = .done
                return .submitTrailersOnly(
                    headers: responseHeaders(initialMetadata) + statusFields(status) + trailingMetadata.headerFields)
            }
            if status.code != .ok {
                // An error ends the call now: messages not yet sent would only delay the status.
                outbound.queue.removeAll()
                outbound.queuedBytes = 0
            }
            outbound.trailers = statusFields(status) + trailingMetadata.headerFields
            phase = .responding(outbound, inbound: nil)
            return .resumeData
        }
    }

    /// nghttp2 asks for up to `maxLength` bytes of DATA.
    mutating func pull(maxLength: Int) -> Pull {
        guard case .responding(var outbound, let inbound) = phase else {
            _ = invalid("a DATA pull")
            return .reset
        }
        guard maxLength > 0 else { return .deferred }
        if var head = outbound.queue.first {
            let chunk: ByteBuffer
            if head.readableBytes <= maxLength {
                chunk = outbound.queue.removeFirst()
            } else {
                chunk = head.readSlice(length: maxLength)!
                outbound.queue[outbound.queue.startIndex] = head
            }
            outbound.queuedBytes -= chunk.readableBytes
            phase = .responding(outbound, inbound: inbound)
            return .bytes(chunk)
        }
        if let trailers = outbound.trailers {
            phase = .done
            return .trailers(trailers)
        }
        return .deferred
    }

    /// nghttp2 closed the stream (normally, by RST_STREAM, or with the connection).
    mutating func streamClosed() {
        phase = .done
    }

    // MARK: Helpers

    /// A transition only a bug in the connection could ask for: stops a debug build, is an error in release.
    private func invalid(_ event: String) -> InvalidTransition {
        let failure = InvalidTransition(event: event, phase: "\(phase)")
        assertionFailure("GRPCServerStreamStateMachine: \(failure)")
        return failure
    }

    private mutating func reject(httpStatus: Int) -> HeadersAction {
        phase = .done
        return .reject(Rejection(headers: [HeaderField(name: ":status", value: String(httpStatus))]))
    }

    private mutating func reject(_ status: GRPCStatus, extra: [HeaderField] = []) -> HeadersAction {
        .reject(rejection(status, extra: extra))
    }

    private mutating func rejection(_ status: GRPCStatus, extra: [HeaderField] = []) -> Rejection {
        phase = .done
        return Rejection(headers: responseHeaders(GRPCMetadata()) + statusFields(status) + extra)
    }

    private func responseHeaders(_ metadata: GRPCMetadata) -> [HeaderField] {
        [HeaderField(name: ":status", value: "200"),
         HeaderField(name: "content-type", value: "application/grpc")] + metadata.headerFields
    }

    private func statusFields(_ status: GRPCStatus) -> [HeaderField] {
        var fields = [HeaderField(name: "grpc-status", value: String(status.code.rawValue))]
        if !status.message.isEmpty {
            fields.append(HeaderField(name: "grpc-message", value: PercentEncoding.encode(status.message)))
        }
        return fields
    }

    private func status(for failure: GRPCMessageDeframer.Failure) -> GRPCStatus {
        switch failure {
        case .compressedWithoutEncoding:
            return GRPCStatus(.internal, "Compressed message without grpc-encoding")
        case .invalidFlag(let flag):
            return GRPCStatus(.internal, "Invalid message flag \(flag)")
        case .messageTooLarge(let length, let limit):
            return GRPCStatus(.resourceExhausted, "Message of \(length) bytes exceeds the limit of \(limit)")
        }
    }
}
