import NIOCore
import YibaoProto
import YibaoRPC

/// The typed adapters generated `register(in:)` methods use: each turns a typed handler into the transport's
/// byte-level `RPCMethodHandler` (decode the request, call, encode the response). Written once, for every service.
public enum RPCServiceMethod {
    public static func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ request: Request.Type, _ response: Response.Type, named requestName: String,
        _ handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response
    ) -> RPCMethodHandler {
        .unary { buffer, context in
            let request = try decode(buffer, as: Request.self, named: requestName)
            return ByteBuffer(bytes: try await handler(request, context).encoded())
        }
    }

    public static func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ request: Request.Type, _ response: Response.Type, named requestName: String,
        _ handler: @escaping @Sendable (Request, RPCServerContext, RPCMessageWriter<Response>) async throws -> Void
    ) -> RPCMethodHandler {
        .serverStreaming { buffer, context, writer in
            let request = try decode(buffer, as: Request.self, named: requestName)
            try await handler(request, context, RPCMessageWriter(writer))
        }
    }

    public static func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ request: Request.Type, _ response: Response.Type, named requestName: String,
        _ handler: @escaping @Sendable (RPCMessageStream<Request>, RPCServerContext) async throws -> Response
    ) -> RPCMethodHandler {
        .clientStreaming { requests, context in
            let response = try await handler(RPCMessageStream(requests, messageName: requestName), context)
            return ByteBuffer(bytes: response.encoded())
        }
    }

    public static func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ request: Request.Type, _ response: Response.Type, named requestName: String,
        _ handler: @escaping @Sendable (RPCMessageStream<Request>, RPCServerContext, RPCMessageWriter<Response>) async throws -> Void
    ) -> RPCMethodHandler {
        .bidirectionalStreaming { requests, context, writer in
            try await handler(RPCMessageStream(requests, messageName: requestName), context, RPCMessageWriter(writer))
        }
    }

    /// The transport already refused messages over its size limit, so the decoder's own limit is the buffer size.
    static func decode<Message: ProtoMessage>(_ buffer: ByteBuffer, as type: Message.Type, named name: String) throws -> Message {
        let bytes = Array(buffer.readableBytesView)
        do {
            return try Message(decoding: bytes, maxSize: max(bytes.count, 1))
        } catch {
            throw GRPCStatus(.internal, "request is not a valid \(name): \(error)")
        }
    }
}
