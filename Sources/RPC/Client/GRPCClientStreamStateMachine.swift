import NIOCore

/// Every protocol decision for one call on the client side, as a value type with no I/O: the connection
/// feeds it what nghttp2 reported and what the caller wrote, and carries out what it returns.
///
/// Response side: awaiting headers -> receiving messages -> done (trailers, Trailers-Only, reset or failure).
/// Request side: a queue of framed messages pulled by nghttp2's data provider, then END_STREAM once the caller
/// has finished writing.
///
/// Once the call is done (status seen, stream reset, or abandoned locally on a deadline or cancellation), what the
/// server still sends is dropped on purpose: the outcome is decided once. A response that breaks the protocol
/// before that is a failure of the call (`.fail`), never ignored; a request pull after END_STREAM, which only a
/// bug in the connection could cause, is an assertion in debug builds.
struct GRPCClientStreamStateMachine {
    enum Pull {
        case bytes(ByteBuffer)
        /// The last request bytes: END_STREAM goes on this DATA frame, not on an empty one after it.
        case lastBytes(ByteBuffer)
        case deferred
        /// Every request message is out: send END_STREAM.
        case end
    }

    /// What the connection does with an inbound event.
    enum ResponseAction {
        case none
        case initialMetadata(GRPCMetadata)
        case messages([ByteBuffer])
        /// The call is over with this status (OK or not) and these trailers.
        case finished(GRPCStatus)
        /// The response broke a rule: reset the stream (CANCEL) and end the call with this status.
        case fail(GRPCStatus)
    }

    private enum ResponsePhase {
        case awaitingHeaders
        case receiving(GRPCMessageDeframer)
        case done
    }

    private var response = ResponsePhase.awaitingHeaders
    private var queue = CircularBuffer<ByteBuffer>()
    private(set) var queuedBytes = 0
    private var requestsEnded = false
    /// END_STREAM has been handed to nghttp2 (`.end` or `.lastBytes`): it pulls no more.
    private var endPulled = false
    private let maxMessageLength: Int
    private let allocator: ByteBufferAllocator

    init(maxMessageLength: Int, allocator: ByteBufferAllocator) {
        self.maxMessageLength = maxMessageLength
        self.allocator = allocator
    }

    var isFinished: Bool { if case .done = response { return true } else { return false } }

    // MARK: Requests

    /// Queues one request message; false once the caller has already finished (a writer bug, refused).
    mutating func enqueue(_ message: ByteBuffer) -> Bool {
        guard !requestsEnded else { return false }
        let framed = GRPCMessageFramer.frame(message, allocator: allocator)
        queuedBytes += framed.readableBytes
        queue.append(framed)
        return true
    }

    mutating func endRequests() { requestsEnded = true }

    mutating func pull(maxLength: Int) -> Pull {
        assert(!endPulled, "GRPCClientStreamStateMachine: a request pull after END_STREAM")
        guard var head = queue.popFirst() else {
            endPulled = requestsEnded
            return requestsEnded ? .end : .deferred
        }
        if head.readableBytes > maxLength {
            let chunk = head.readSlice(length: maxLength)!
            queue.prepend(head)
            queuedBytes -= chunk.readableBytes
            return .bytes(chunk)
        }
        queuedBytes -= head.readableBytes
        endPulled = requestsEnded && queue.isEmpty
        return endPulled ? .lastBytes(head) : .bytes(head)
    }

    // MARK: Responses

    mutating func receiveHeaders(_ fields: [HeaderField], isTrailers: Bool, endStream: Bool) -> ResponseAction {
        switch response {
        case .done:
            return .none
        case .awaitingHeaders:
            if let failure = Self.checkResponseHead(fields) {
                response = .done
                return .fail(failure)
            }
            if endStream {
                // Trailers-Only: status and metadata in the one HEADERS frame.
                response = .done
                return .finished(Self.status(from: fields))
            }
            response = .receiving(GRPCMessageDeframer(maxMessageLength: maxMessageLength, allocator: allocator))
            return .initialMetadata(GRPCMetadata(requestHeaders: fields) ?? GRPCMetadata())
        case .receiving(let deframer):
            guard isTrailers || endStream else {
                response = .done
                return .fail(GRPCStatus(.internal, "a second response HEADERS block that is not trailers"))
            }
            response = .done
            if deframer.bufferedBytes > 0 {
                return .fail(GRPCStatus(.internal, "response ended inside a message (\(deframer.bufferedBytes) bytes left)"))
            }
            return .finished(Self.status(from: fields))
        }
    }

    mutating func receiveData(_ bytes: ByteBuffer) -> ResponseAction {
        guard case .receiving(var deframer) = response else {
            if case .awaitingHeaders = response {
                response = .done
                return .fail(GRPCStatus(.internal, "response DATA before its HEADERS"))
            }
            return .none
        }
        // The state gives up its copy first: otherwise `append` copies every byte buffered so far, on every frame.
        response = .done
        deframer.append(bytes)
        var messages: [ByteBuffer] = []
        do {
            while let message = try deframer.nextMessage() { messages.append(message) }
        } catch {
            switch error {
            case .messageTooLarge(let length, let limit):
                return .fail(GRPCStatus(.resourceExhausted,
                                        "response message of \(length) bytes exceeds the limit of \(limit) bytes"))
            case .compressedWithoutEncoding:
                return .fail(GRPCStatus(.internal, "compressed response message, but no grpc-encoding was negotiated"))
            case .invalidFlag(let flag):
                return .fail(GRPCStatus(.internal, "response message has an invalid compressed flag \(flag)"))
            }
        }
        response = .receiving(deframer)
        return messages.isEmpty ? .none : .messages(messages)
    }

    /// END_STREAM on a DATA frame: a response without trailers, which gRPC does not allow.
    mutating func receiveEndStream() -> ResponseAction {
        guard case .receiving = response else { return .none }
        response = .done
        return .fail(GRPCStatus(.internal, "response ended without trailers (no grpc-status)"))
    }

    /// The stream closed; if no status was seen, this is how the call ends.
    mutating func streamClosed(errorCode: UInt32) -> GRPCStatus? {
        guard !isFinished else { return nil }
        response = .done
        return Self.status(forReset: errorCode)
    }

    /// A local failure (deadline, cancellation, connection loss) ends the call.
    mutating func abandon() -> Bool {
        guard !isFinished else { return false }
        response = .done
        return true
    }

    // MARK: Rules

    /// `:status` must be 200 and the content type gRPC's; otherwise the status comes from the HTTP status
    /// (PROTOCOL-HTTP2.md "HTTP to gRPC status code mapping") unless the server also sent grpc-status.
    static func checkResponseHead(_ fields: [HeaderField]) -> GRPCStatus? {
        let httpStatus = fields.first { $0.name == ":status" }?.value ?? ""
        guard httpStatus == "200" else {
            if fields.contains(where: { $0.name == "grpc-status" }) { return nil }
            let code: GRPCStatus.Code
            switch httpStatus {
            case "400": code = .internal
            case "401": code = .unauthenticated
            case "403": code = .permissionDenied
            case "404": code = .unimplemented
            case "429", "502", "503", "504": code = .unavailable
            default: code = .unknown
            }
            return GRPCStatus(code, "HTTP status \(httpStatus.isEmpty ? "missing" : httpStatus) from the server")
        }
        let contentType = fields.first { $0.name == "content-type" }?.value ?? ""
        guard contentType.hasPrefix("application/grpc") else {
            return GRPCStatus(.unknown, "response content-type is \(contentType.isEmpty ? "missing" : contentType), not application/grpc")
        }
        return nil
    }

    static func status(from trailers: [HeaderField]) -> GRPCStatus {
        guard let raw = trailers.first(where: { $0.name == "grpc-status" })?.value else {
            return GRPCStatus(.internal, "response trailers have no grpc-status")
        }
        guard let number = Int(raw), let code = GRPCStatus.Code(rawValue: number) else {
            return GRPCStatus(.unknown, "unknown grpc-status \(raw)")
        }
        let message = trailers.first { $0.name == "grpc-message" }.map { PercentEncoding.decode($0.value) } ?? ""
        var status = GRPCStatus(code, message)
        let metadataFields = trailers.filter { !$0.name.hasPrefix(":") }
        status.trailingMetadata = GRPCMetadata(requestHeaders: metadataFields) ?? GRPCMetadata()
        return status
    }

    /// RST_STREAM codes as gRPC statuses (PROTOCOL-HTTP2.md "Errors").
    static func status(forReset errorCode: UInt32) -> GRPCStatus {
        switch errorCode {
        case 0x0: return GRPCStatus(.internal, "stream closed without a status")
        case 0x7: return GRPCStatus.refusedStream
        case 0x8: return GRPCStatus(.cancelled, "stream cancelled by the server (RST_STREAM CANCEL)")
        case 0xB: return GRPCStatus(.resourceExhausted, "server reset the stream: ENHANCE_YOUR_CALM")
        case 0xC: return GRPCStatus(.permissionDenied, "server reset the stream: INADEQUATE_SECURITY")
        default: return GRPCStatus(.internal, "server reset the stream with HTTP/2 error code \(errorCode)")
        }
    }
}

extension GRPCStatus {
    /// The stream was never processed (REFUSED_STREAM, or above a GOAWAY's last stream): safe to retry anywhere.
    static let refusedStream = unprocessed(GRPCStatus(.unavailable, "stream refused before processing (REFUSED_STREAM)"))

    /// A call whose connection closed or failed before the call was sent: as safe to retry as a refused stream,
    /// and it keeps the connection's reason, so a call that runs out of attempts says why (a TLS alert after the
    /// handshake, say, rather than "REFUSED_STREAM").
    static func notSent(_ cause: GRPCStatus) -> GRPCStatus {
        unprocessed(GRPCStatus(.unavailable, cause.message + " (before the call was sent)"))
    }

    private static func unprocessed(_ status: GRPCStatus) -> GRPCStatus {
        var status = status
        status.neverProcessed = true
        return status
    }

    var wasRefused: Bool { code == .unavailable && neverProcessed }
}
