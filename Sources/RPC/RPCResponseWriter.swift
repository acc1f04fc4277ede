import NIOCore

/// Sends response messages of a server-streaming call. `write` waits while the client is not reading,
/// so a handler never queues more than the configured watermark.
public struct RPCResponseWriter: Sendable {
    let stream: RPCStreamHandle

    /// Throws `GRPCStatus(.cancelled)` once the call is over (client reset, deadline, connection closed).
    public func write(_ message: ByteBuffer) async throws {
        try Task.checkCancellation()
        try await stream.write(message)
    }

    /// Returns once a `write` would not wait (the stream, its connection and the server are below their
    /// response-buffer bounds). A handler that must read or build its next messages first (a catch-up over
    /// stored data) asks here before it does, so that while its peer does not read it holds nothing.
    public func waitForRoom() async throws {
        try Task.checkCancellation()
        try await stream.waitForRoom()
    }
}

/// The handler task's way back to its stream: every call hops onto the connection's event loop,
/// the only place the nghttp2 session and the stream state are touched.
struct RPCStreamHandle: Sendable {
    let connection: NIOLoopBound<GRPCServerConnectionHandler>
    let streamID: Int32

    func write(_ message: ByteBuffer) async throws {
        let connection = self.connection, streamID = self.streamID
        try await connection.eventLoop.flatSubmit {
            connection.value.handlerWrote(streamID: streamID, message: message)
        }.get()
    }

    func waitForRoom() async throws {
        let connection = self.connection, streamID = self.streamID
        try await connection.eventLoop.flatSubmit {
            connection.value.handlerWantsRoom(streamID: streamID)
        }.get()
    }

    /// The handler is done: with a response (unary) or nothing more (streaming) and OK, or with an error status.
    func finish(response: ByteBuffer?, status: GRPCStatus) {
        let connection = self.connection, streamID = self.streamID
        connection.eventLoop.execute {
            connection.value.handlerFinished(streamID: streamID, response: response, status: status)
        }
    }

    /// The handler wants more request messages (`resume`), or none at all any more.
    func inboundDemand(resume: Bool) {
        let connection = self.connection, streamID = self.streamID
        connection.eventLoop.execute {
            connection.value.inboundDemandChanged(streamID: streamID, resume: resume)
        }
    }

    /// What the client sees for an error a handler threw: its own status, or UNKNOWN for anything else
    /// (without the error's text, which may hold internals).
    static func status(for error: any Error) -> GRPCStatus {
        if let status = error as? GRPCStatus { return status }
        if error is CancellationError { return GRPCStatus(.cancelled, "Handler cancelled") }
        return GRPCStatus(.unknown, "Handler failed")
    }
}
