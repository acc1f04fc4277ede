import NIOCore

/// Splits a request body into gRPC messages: 1 byte compressed flag, 4 bytes big-endian length, the message.
/// Holds at most one partial message, and refuses a length above the limit before buffering it.
/// `package`: the fuzz target (Tests/Fuzz/Harness) drives it directly, in any build configuration.
package struct GRPCMessageDeframer {
    package enum Failure: Error, Equatable {
        /// The compressed flag is set but the call negotiated no compression.
        case compressedWithoutEncoding
        /// The flag byte is neither 0 nor 1.
        case invalidFlag(UInt8)
        case messageTooLarge(length: Int, limit: Int)
    }

    package static let prefixLength = 5

    package let maxMessageLength: Int
    private var buffer: ByteBuffer

    package init(maxMessageLength: Int, allocator: ByteBufferAllocator) {
        precondition(maxMessageLength >= 0)
        self.maxMessageLength = maxMessageLength
        self.buffer = allocator.buffer(capacity: 0)
    }

    /// Bytes received but not yet part of a whole message.
    package var bufferedBytes: Int { buffer.readableBytes }

    package mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next whole message, nil when more bytes are needed. Checks the prefix as soon as it is complete,
    /// so an oversized message is refused without waiting for (or storing) its body.
    package mutating func nextMessage() throws(Failure) -> ByteBuffer? {
        guard let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self) else {
            return nil
        }
        switch flag {
        case 0: break
        case 1: throw .compressedWithoutEncoding
        default: throw .invalidFlag(flag)
        }
        guard Int(length) <= maxMessageLength else {
            throw .messageTooLarge(length: Int(length), limit: maxMessageLength)
        }
        guard buffer.readableBytes >= GRPCMessageDeframer.prefixLength + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: GRPCMessageDeframer.prefixLength)
        let message = buffer.readSlice(length: Int(length))!
        buffer.discardReadBytes()
        return message
    }
}

/// Writes the 5-byte prefix in front of an outbound message; compression is never used by this server.
/// `package`: tools that send raw request bodies (the load tool's h2load bodies) frame them here too.
package enum GRPCMessageFramer {
    package static func frame(_ message: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var framed = allocator.buffer(capacity: GRPCMessageDeframer.prefixLength + message.readableBytes)
        framed.writeInteger(UInt8(0))
        framed.writeInteger(UInt32(message.readableBytes))
        var message = message
        framed.writeBuffer(&message)
        return framed
    }
}
