import NIOCore
import YibaoProto
import YibaoRPC

/// Request decoding and response encoding for the standard services' raw-bytes handlers, with the error the
/// contract fixes for undecodable requests. To be replaced by the generated service protocols once they exist.
enum StandardMessageCoding {
    static func decode<M: ProtoMessage>(_ type: M.Type, fullName: String, from buffer: ByteBuffer) throws -> M {
        do {
            return try M(decoding: Array(buffer.readableBytesView), maxSize: ProtoLimits.defaultMaxMessageSize)
        } catch {
            throw GRPCStatus(.internal, "request is not a valid \(fullName): \(error)")
        }
    }

    static func encode<M: ProtoMessage>(_ message: M) -> ByteBuffer {
        ByteBuffer(bytes: message.encoded())
    }
}
