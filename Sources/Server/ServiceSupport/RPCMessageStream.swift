import NIOCore
import YibaoProto
import YibaoRPC

/// The request messages of a client-streaming or bidirectional call, decoded as they arrive. Backpressure is the
/// transport's (`RPCRequestStream`): nothing is read ahead beyond what the handler asks for.
/// A message that does not decode ends the iteration with INTERNAL naming the message type (docs/api.md, Errors).
public struct RPCMessageStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message

    let requests: RPCRequestStream
    /// The proto full name, for the error a client sees ("yibao.v1.FeedSettlementsRequest").
    let messageName: String

    public init(_ requests: RPCRequestStream, messageName: String) {
        self.requests = requests
        self.messageName = messageName
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RPCRequestStream.AsyncIterator
        let messageName: String

        public mutating func next() async throws -> Message? {
            guard let buffer = try await base.next() else { return nil }
            return try RPCServiceMethod.decode(buffer, as: Message.self, named: messageName)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: requests.makeAsyncIterator(), messageName: messageName)
    }
}
