import YibaoProto
import YibaoRPC

/// What generated client stubs call: the four shapes of `RPCClient` with protobuf messages encoded and
/// decoded on the way. A response that does not decode ends the call with INTERNAL naming the type.
public enum RPCTypedCalls {
    public static func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ client: RPCClient, path: String, request: Request, options: RPCCallOptions) async throws -> Response {
        let response = try await client.unary(path: path, request: request.encoded(), options: options)
        return try decode(response.message, maxSize: client.configuration.maxReceiveMessageSize)
    }

    public static func serverStreaming<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        _ client: RPCClient, path: String, request: Request, options: RPCCallOptions,
        _ body: (RPCTypedResponseStream<Response>) async throws -> Result) async throws -> Result {
        try await client.serverStreaming(path: path, request: request.encoded(), options: options) { responses in
            try await body(RPCTypedResponseStream(raw: responses, maxSize: client.configuration.maxReceiveMessageSize))
        }
    }

    public static func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ client: RPCClient, path: String, options: RPCCallOptions,
        _ requests: (RPCTypedRequestWriter<Request>) async throws -> Void) async throws -> Response {
        let response = try await client.clientStreaming(path: path, options: options) { writer in
            try await requests(RPCTypedRequestWriter(raw: writer))
        }
        return try decode(response.message, maxSize: client.configuration.maxReceiveMessageSize)
    }

    public static func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        _ client: RPCClient, path: String, options: RPCCallOptions,
        requests: @escaping @Sendable (RPCTypedRequestWriter<Request>) async throws -> Void,
        responses: (RPCTypedResponseStream<Response>) async throws -> Result) async throws -> Result {
        let maxSize = client.configuration.maxReceiveMessageSize
        return try await client.bidirectionalStreaming(path: path, options: options, requests: { writer in
            try await requests(RPCTypedRequestWriter(raw: writer))
        }, responses: { raw in
            try await responses(RPCTypedResponseStream(raw: raw, maxSize: maxSize))
        })
    }

    static func decode<Message: ProtoMessage>(_ bytes: [UInt8], maxSize: Int) throws -> Message {
        do {
            return try Message(decoding: bytes, maxSize: maxSize)
        } catch {
            throw GRPCStatus(.internal, "response is not a valid \(Message.self): \(error)")
        }
    }
}

extension RPCCallOptions {
    /// These options with `idempotent` set: generated stubs use it for methods the proto marks idempotent.
    public func idempotent() -> RPCCallOptions {
        var copy = self
        copy.idempotent = true
        return copy
    }
}
