import YibaoProto
import YibaoRPC

/// Response messages of a streaming call, decoded. Ends after the last message of a call that ended OK;
/// throws the call's `GRPCStatus` otherwise, or INTERNAL for a message that does not decode.
public struct RPCTypedResponseStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message

    let raw: RPCClientResponseStream
    let maxSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RPCClientResponseStream.AsyncIterator
        let maxSize: Int

        public mutating func next() async throws -> Message? {
            guard let bytes = try await base.next() else { return nil }
            return try RPCTypedCalls.decode(bytes, maxSize: maxSize)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: raw.makeAsyncIterator(), maxSize: maxSize)
    }

    public func initialMetadata() async throws -> GRPCMetadata { try await raw.initialMetadata() }
    public func trailingMetadata() async throws -> GRPCMetadata { try await raw.trailingMetadata() }
}

/// Writes typed request messages of a client-streaming or bidirectional call; `write` waits while the
/// stream's send queue is full.
public struct RPCTypedRequestWriter<Message: ProtoMessage>: Sendable {
    let raw: RPCClientRequestWriter

    public func write(_ message: Message) async throws {
        try await raw.write(message.encoded())
    }
}
