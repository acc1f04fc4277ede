import NIOCore
import Synchronization

/// The response messages of a call, in order, as raw bytes. Iteration ends after the last message when
/// the call ended OK and throws the call's `GRPCStatus` otherwise. Backpressure: once `highWatermark`
/// messages wait unread, received bytes stop being credited to the server's window, so the server waits
/// for the caller instead of the client buffering without bound.
public struct RPCClientResponseStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    static let highWatermark = 16
    static let lowWatermark = 4

    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, ResponseFlowDelegate>

    let producer: Producer
    let call: RPCClientCallHandle
    /// Set once a message reached the caller: retrying the call would repeat what it already saw.
    let delivered = DeliveryFlag()

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator
        let delivered: DeliveryFlag

        public mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await base.next() else { return nil }
            delivered.value.store(true, ordering: .relaxed)
            return Array(buffer.readableBytesView)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: producer.makeAsyncIterator(), delivered: delivered)
    }

    /// The server's response headers (custom metadata); throws the status of a call that ended without any.
    public func initialMetadata() async throws -> GRPCMetadata { try await call.headers.get() }

    /// The trailing metadata, once the call is over (for a failed call it is also on the thrown status).
    public func trailingMetadata() async throws -> GRPCMetadata { try await call.status.get().trailingMetadata }

    static func make(delegate: ResponseFlowDelegate) -> (Producer, Producer.Source) {
        let made = Producer.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: lowWatermark, highWatermark: highWatermark),
            finishOnDeinit: false, delegate: delegate)
        return (made.sequence, made.source)
    }
}

/// Tells the connection when the caller wants more messages (or has stopped reading).
struct ResponseFlowDelegate: NIOAsyncSequenceProducerDelegate {
    let connection: NIOLoopBound<GRPCClientConnectionHandler>
    let callID: UInt64
    let outcome: RPCClientCallOutcome

    func produceMore() { notify() }
    func didTerminate() { notify() }

    private func notify() {
        // Once the outcome is known the connection credits what arrives by itself: no news for it.
        guard outcome.status == nil else { return }
        let connection = self.connection, callID = self.callID
        connection.eventLoop.execute { connection.value.inboundDemandChanged(callID: callID) }
    }
}

/// Sends request messages of a client-streaming or bidirectional call. `write` waits while the stream's
/// queue is above its high watermark (the server or the network is slower than the caller).
public struct RPCClientRequestWriter: Sendable {
    let call: RPCClientCallHandle

    /// Throws the call's status once it is over.
    public func write(_ message: [UInt8]) async throws {
        try Task.checkCancellation()
        try await call.write(message)
    }
}

/// A caller's way to its call: every operation hops onto the connection's event loop.
struct RPCClientCallHandle: Sendable {
    let connection: NIOLoopBound<GRPCClientConnectionHandler>
    let callID: UInt64
    let headers: EventLoopFuture<GRPCMetadata>
    let status: EventLoopFuture<GRPCStatus>
    let outcome: RPCClientCallOutcome

    /// The final status: read directly once known (no hop), else awaited.
    func finalStatus() async throws -> GRPCStatus {
        if let status = outcome.status { return status }
        return try await status.get()
    }

    func write(_ message: [UInt8]) async throws {
        let connection = self.connection, callID = self.callID
        let buffer = ByteBuffer(bytes: message)
        do {
            try await connection.eventLoop.flatSubmit {
                connection.value.write(callID: callID, message: buffer)
            }.get()
        } catch is GRPCClientConnectionHandler.CallAlreadyOver {
            // The call ended first (deadline, server status): that status is the news, not the write.
            let status = try await self.status.get()
            throw status.code == .ok ? GRPCStatus(.cancelled, "the call is already over") : status
        }
    }

    func endRequests() {
        let connection = self.connection, callID = self.callID
        connection.eventLoop.execute { connection.value.endRequests(callID: callID) }
    }

    func cancel(_ status: GRPCStatus) {
        let connection = self.connection, callID = self.callID
        connection.eventLoop.execute { connection.value.cancel(callID: callID, status: status) }
    }

}

final class DeliveryFlag: Sendable {
    let value = Atomic<Bool>(false)
}
