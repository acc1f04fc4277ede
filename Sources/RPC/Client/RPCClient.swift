import NIOCore
import Synchronization

/// A unary (or client-streaming) call's result: the one response message and the server's metadata.
public struct RPCClientResponse: Sendable {
    public var message: [UInt8]
    public var initialMetadata: GRPCMetadata
    public var trailingMetadata: GRPCMetadata
}

/// A gRPC client over HTTP/2 (nghttp2), h2c with prior knowledge or TLS. Message-agnostic: requests and
/// responses are raw bytes (generated stubs in YibaoClient add the types). Calls share a small pool of
/// connections, many concurrent streams each; failures are thrown as `GRPCStatus`.
public final class RPCClient: Sendable {
    public let configuration: RPCClientConfiguration
    private let slots: [RPCClientConnectionSlot]
    private let nextSlot = Atomic<Int>(0)

    /// Builds the TLS context now (bad key material throws `TLSError` here); connects on the first call.
    public init(configuration: RPCClientConfiguration) throws {
        self.configuration = configuration
        let tls = try configuration.tls.map(OpenSSLClientContext.init)
        slots = (0..<max(configuration.connections, 1)).map { _ in
            RPCClientConnectionSlot(configuration: configuration, tls: tls)
        }
    }

    // MARK: The four call shapes

    public func unary(path: String, request: [UInt8], options: RPCCallOptions = .init()) async throws
        -> RPCClientResponse {
        try await retrying(options) { deadline in
            try await self.withCall(path: path, request: request, options: options, deadline: deadline) { call, responses in
                try await Self.singleResponse(call, responses)
            }
        }
    }

    /// `body` reads the responses; the call is cancelled (RST_STREAM) if it returns before they end.
    public func serverStreaming<R: Sendable>(path: String, request: [UInt8], options: RPCCallOptions = .init(),
                                             _ body: (RPCClientResponseStream) async throws -> R) async throws -> R {
        try await retrying(options) { deadline in
            try await self.withCall(path: path, request: request, options: options, deadline: deadline) { call, responses in
                do {
                    return try await body(responses)
                } catch let status as GRPCStatus where responses.delivered.value.load(ordering: .relaxed) {
                    throw NotRetryable(status: status)
                }
            }
        }
    }

    /// `requests` writes the request messages; returning from it half-closes the call.
    public func clientStreaming(path: String, options: RPCCallOptions = .init(),
                                _ requests: (RPCClientRequestWriter) async throws -> Void) async throws
        -> RPCClientResponse {
        let deadline = options.resolvedDeadline(now: .now)
        return try await withCall(path: path, request: nil, options: options, deadline: deadline) { call, responses in
            try await requests(RPCClientRequestWriter(call: call))
            call.endRequests()
            return try await Self.singleResponse(call, responses)
        }
    }

    /// `requests` runs concurrently with `responses`; returning from it half-closes the call. The call ends
    /// (cancelled if still open) when `responses` returns.
    public func bidirectionalStreaming<R: Sendable>(
        path: String, options: RPCCallOptions = .init(),
        requests: @escaping @Sendable (RPCClientRequestWriter) async throws -> Void,
        responses body: (RPCClientResponseStream) async throws -> R) async throws -> R {
        let deadline = options.resolvedDeadline(now: .now)
        return try await withCall(path: path, request: nil, options: options, deadline: deadline) { call, responses in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await requests(RPCClientRequestWriter(call: call))
                        call.endRequests()
                    } catch {
                        call.cancel(GRPCStatus(.cancelled, "request writer failed: \(error)"))
                        throw error
                    }
                }
                let result: R
                do {
                    result = try await body(responses)
                } catch {
                    // End the call before the group waits for the writer, which may be parked on a full queue.
                    call.cancel(GRPCStatus(.cancelled, "the response reader failed: \(error)"))
                    throw error
                }
                call.cancel(GRPCStatus(.cancelled, "the caller stopped reading responses"))
                group.cancelAll()
                while let _ = try? await group.next() {}
                return result
            }
        }
    }

    /// Stops new calls, sends GOAWAY on every connection, lets in-flight calls finish (at most
    /// `closeGracePeriod`), then closes.
    public func close() async {
        for slot in slots { await slot.close(grace: configuration.closeGracePeriod) }
    }

    // MARK: Machinery

    private static func singleResponse(_ call: RPCClientCallHandle, _ responses: RPCClientResponseStream) async throws
        -> RPCClientResponse {
        var iterator = responses.makeAsyncIterator()
        guard let message = try await iterator.next() else {
            let status = try await call.finalStatus()
            throw status.code == .ok ? GRPCStatus(.internal, "the server ended the call OK without a response message")
                : status
        }
        if try await iterator.next() != nil {
            call.cancel(GRPCStatus(.internal, "more than one response message"))
            throw GRPCStatus(.internal, "the server sent more than one response message for a single-response call")
        }
        let status = try await call.finalStatus()
        guard status.code == .ok else { throw status }
        // Headers are recorded before the status: none by now means none came.
        return RPCClientResponse(message: message, initialMetadata: call.outcome.headers ?? GRPCMetadata(),
                                 trailingMetadata: status.trailingMetadata)
    }

    private func pickSlot() -> RPCClientConnectionSlot {
        slots[nextSlot.add(1, ordering: .relaxed).oldValue % slots.count]
    }

    /// Opens one call on a usable connection and runs `body` with it; task cancellation resets the stream.
    /// `firstRequest` is the whole request of a single-request call: it goes out with the headers and
    /// half-closes the call. nil for calls that stream requests (`body` writes them).
    private func withCall<R: Sendable>(path: String, request firstRequest: [UInt8]?, options: RPCCallOptions,
                                       deadline: ContinuousClock.Instant?,
                                       _ body: (RPCClientCallHandle, RPCClientResponseStream) async throws -> R)
        async throws -> R {
        try Task.checkCancellation()
        let slot = pickSlot()
        let connection: ClientConnection
        if let live = slot.usableConnection() {
            connection = live
        } else {
            connection = try await slot.connection(deadline: deadline)
        }
        var metadata = options.metadata
        if let authenticate = configuration.callAuthenticator {
            do {
                for (key, value) in try authenticate(path, firstRequest) {
                    switch value {
                    case .string(let text): metadata.add(key, text)
                    case .binary(let bytes): metadata.add(key, bytes: bytes)
                    }
                }
            } catch {
                throw GRPCStatus(.unauthenticated, "cannot authenticate the call to \(path): \(error)")
            }
        }
        let request = ClientCallRequest(path: path, metadata: metadata, deadline: deadline)
        // Everything the call needs is made here, off the loop; the loop is told once and not waited for.
        let handler = connection.handler, loop = handler.eventLoop
        let callID = connection.state.nextCallID.wrappingAdd(1, ordering: .relaxed).oldValue
        let outcome = RPCClientCallOutcome()
        let (producer, source) = RPCClientResponseStream.make(
            delegate: ResponseFlowDelegate(connection: handler, callID: callID, outcome: outcome))
        let opening = ClientCallOpening(callID: callID, request: request, responses: source,
                                        headersPromise: loop.makePromise(), statusPromise: loop.makePromise(),
                                        outcome: outcome, wholeRequest: firstRequest.map { ByteBuffer(bytes: $0) })
        let call = RPCClientCallHandle(connection: handler, callID: callID, headers: opening.headersPromise.futureResult,
                                       status: opening.statusPromise.futureResult, outcome: outcome)
        let responses = RPCClientResponseStream(producer: producer, call: call)
        loop.execute { handler.value.open(opening) }
        return try await withTaskCancellationHandler {
            do {
                let result = try await body(call, responses)
                if outcome.status == nil {  // still open: end it (a no-op if it ends first)
                    call.cancel(GRPCStatus(.cancelled, "the caller finished the call early"))
                }
                return result
            } catch {
                call.cancel(GRPCStatus(.cancelled, "the caller failed: \(error)"))
                if error is CancellationError { throw GRPCStatus(.cancelled, "call cancelled") }
                throw error
            }
        } onCancel: {
            call.cancel(GRPCStatus(.cancelled, "call cancelled"))
        }
    }

    private struct NotRetryable: Error { let status: GRPCStatus }

    /// Runs attempts of a call whose request is known in full. A failed attempt is retried only when it is
    /// UNAVAILABLE and either the call is idempotent or the stream was never processed (refused, above a
    /// GOAWAY's last stream), while attempts remain and the backoff fits before the deadline.
    private func retrying<R: Sendable>(_ options: RPCCallOptions,
                                       _ attempt: (ContinuousClock.Instant?) async throws -> R) async throws -> R {
        let deadline = options.resolvedDeadline(now: .now)
        var failures = 0
        while true {
            do {
                return try await attempt(deadline)
            } catch let wrapped as NotRetryable {
                throw wrapped.status
            } catch let status as GRPCStatus {
                failures += 1
                guard failures < configuration.maxAttempts, status.code == .unavailable,
                      options.idempotent || status.wasRefused, !Task.isCancelled else { throw status }
                let delay = Duration.nanoseconds(configuration.retryBackoff.delay(afterFailures: failures).nanoseconds)
                if let deadline, ContinuousClock.now + delay >= deadline { throw status }
                do { try await Task.sleep(for: delay) } catch { throw GRPCStatus(.cancelled, "call cancelled") }
            }
        }
    }
}
