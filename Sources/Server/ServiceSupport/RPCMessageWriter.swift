import NIOCore
import YibaoProto
import YibaoRPC

/// Sends typed response messages of a server-streaming or bidirectional call. `write` suspends while the client
/// is not reading (the transport's watermarks), and throws `GRPCStatus(.cancelled)` once the call is over.
public struct RPCMessageWriter<Message: ProtoMessage>: Sendable {
    let writer: RPCResponseWriter

    public init(_ writer: RPCResponseWriter) {
        self.writer = writer
    }

    public func write(_ message: Message) async throws {
        try await writer.write(ByteBuffer(bytes: message.encoded()))
    }

    /// Returns once a `write` would not wait; see `RPCResponseWriter.waitForRoom`.
    public func waitForRoom() async throws {
        try await writer.waitForRoom()
    }
}
