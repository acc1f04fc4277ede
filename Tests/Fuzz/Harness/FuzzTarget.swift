import NIOCore
import YibaoProto
import YibaoRPC

/// The decode path a peer's bytes reach, as one libFuzzer target. Byte 0 of an input picks what the rest goes
/// through: below 32 -> the gRPC message deframer (an eighth of the inputs); n >= 32 -> `init(decoding:)` of
/// message type (n - 32) mod the number of types in `ProtoMessageCatalog` (every generated message). Any crash, sanitizer report or broken invariant
/// (`precondition`) is a bug.
enum FuzzTarget {
    static let messageTypes = ProtoMessageCatalog.all
    /// Small, so that the length check is hit often; the real default is 4 MiB.
    static let maxMessageLength = 1024
    static let deframerSelectors: UInt8 = 32

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        if selector < deframerSelectors {
            deframe(body)
        } else {
            decode(body, as: messageTypes[Int(selector - deframerSelectors) % messageTypes.count].type)
        }
    }

    /// Feeds the body in pieces of irregular sizes (so prefixes split across reads), taking every message as a
    /// connection would. Invariants: no message over the limit, nothing buffered beyond one partial message.
    static func deframe(_ body: UnsafeRawBufferPointer) {
        let allocator = ByteBufferAllocator()
        var deframer = GRPCMessageDeframer(maxMessageLength: maxMessageLength, allocator: allocator)
        var offset = 0, piece = 1
        while offset < body.count {
            let end = min(body.count, offset + piece)
            deframer.append(allocator.buffer(bytes: UnsafeRawBufferPointer(rebasing: body[offset..<end])))
            offset = end
            piece = piece % 7 + 1
            do {
                while let message = try deframer.nextMessage() {
                    precondition(message.readableBytes <= maxMessageLength, "deframer returned an oversized message")
                }
            } catch {
                return  // the call is rejected here; nothing more is read from it
            }
            precondition(deframer.bufferedBytes < GRPCMessageDeframer.prefixLength + maxMessageLength,
                         "deframer holds more than one partial message")
        }
    }

    /// Decodes; what decodes must re-encode to bytes that decode and re-encode to the same bytes.
    static func decode(_ body: UnsafeRawBufferPointer, as type: any ProtoMessage.Type) {
        guard let message = try? type.init(decoding: Array(body), maxSize: 64 * 1024) else { return }
        let encoded = message.encoded()
        guard let again = try? type.init(decoding: encoded, maxSize: ProtoLimits.defaultMaxMessageSize) else {
            preconditionFailure("\(type): our own encoding does not decode")
        }
        precondition(again.encoded() == encoded, "\(type): encoding is not stable across a round trip")
    }
}

/// libFuzzer's entry point (its `main` drives it when built with `-sanitize=fuzzer`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}
