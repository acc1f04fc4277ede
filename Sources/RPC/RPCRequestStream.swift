import NIOCore

/// The request messages of a client-streaming or bidirectional call, in order, as they arrive.
/// Iteration ends when the client half-closes; it throws `GRPCStatus` when the call fails (client reset,
/// deadline, a malformed or oversized message). Backpressure: while the handler has not taken the buffered
/// messages, the stream stops returning flow-control window to the client, so the client waits.
public struct RPCRequestStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    /// Messages buffered before the window stops being returned, and the level at which it resumes.
    static let highWatermark = 16
    static let lowWatermark = 4

    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, InboundFlowDelegate>

    let producer: Producer

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator

        public mutating func next() async throws -> ByteBuffer? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: producer.makeAsyncIterator())
    }

    /// A sequence and the source the connection yields into.
    static func make(delegate: InboundFlowDelegate) -> (RPCRequestStream, Producer.Source) {
        let made = Producer.makeSequence(
            elementType: ByteBuffer.self,
            failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: lowWatermark, highWatermark: highWatermark),
            finishOnDeinit: false,
            delegate: delegate)
        return (RPCRequestStream(producer: made.sequence), made.source)
    }
}

/// Tells the connection (on its event loop) when the handler wants more messages, or wants no more.
struct InboundFlowDelegate: NIOAsyncSequenceProducerDelegate {
    let stream: RPCStreamHandle

    func produceMore() {
        stream.inboundDemand(resume: true)
    }

    func didTerminate() {
        // The handler stopped reading: from now on inbound bytes are credited back and dropped.
        stream.inboundDemand(resume: false)
    }
}
