import CNghttp2
import NIOCore

/// What the server and client sessions do alike with an `nghttp2_session`: feed bytes, collect output,
/// build header arrays, return window, ping. Free functions over the session pointer, so each session
/// class keeps only what its role needs.
enum NGHTTP2SessionIO {
    /// Feeds received bytes; throws on a connection-level protocol error.
    static func receive(_ session: OpaquePointer?, _ bytes: ByteBuffer) throws {
        let result = bytes.withUnsafeReadableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        if result < 0 { throw NGHTTP2Error.call("nghttp2_session_mem_recv", result) }
    }

    /// Appends what nghttp2 wants to send to `buffer`, stopping once it holds `limit` bytes.
    static func send(_ session: OpaquePointer?, into buffer: inout ByteBuffer, limit: Int) throws {
        while buffer.readableBytes < limit {
            var data: UnsafePointer<UInt8>?
            let length = nghttp2_session_mem_send(session, &data)
            if length < 0 { throw NGHTTP2Error.call("nghttp2_session_mem_send", length) }
            guard length > 0, let data else { return }
            // The pointer is valid only until the next mem_send, so copy now.
            buffer.writeBytes(UnsafeRawBufferPointer(start: data, count: length))
        }
    }

    /// Returns received DATA bytes to the stream and connection windows; after the stream closed, to the
    /// connection window only.
    static func consume(_ session: OpaquePointer?, streamID: Int32, count: Int) {
        guard count > 0 else { return }
        if nghttp2_session_consume(session, streamID, count) != 0 {
            _ = nghttp2_session_consume_connection(session, count)
        }
    }

    static func submitPing(_ session: OpaquePointer?, opaque: UInt64) {
        var payload = opaque.bigEndian
        withUnsafeBytes(of: &payload) { raw in
            _ = nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue),
                                    raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// nghttp2 copies header names and values during submit, so they need to live only for this call.
    @discardableResult
    static func withNameValues(_ fields: [HeaderField],
                               _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> Int32) throws -> Int32 {
        var storage: [UInt8] = []
        var spans: [(name: Range<Int>, value: Range<Int>)] = []
        for field in fields {
            let nameStart = storage.count
            storage.append(contentsOf: field.name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: field.value.utf8)
            spans.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        storage.append(0)  // never empty, so the base address exists
        let result = storage.withUnsafeMutableBufferPointer { bytes -> Int32 in
            var nva = spans.map { span in
                nghttp2_nv(name: bytes.baseAddress! + span.name.lowerBound,
                           value: bytes.baseAddress! + span.value.lowerBound,
                           namelen: span.name.count, valuelen: span.value.count,
                           flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeMutableBufferPointer { body($0) }
        }
        try check("nghttp2_submit", result)
        return result
    }

    /// Adds one received header to a block, counting its HPACK size (RFC 9113 6.5.2: name + value + 32).
    /// False when the block passes `limit`: the caller fails the callback, which resets only that stream.
    static func append(name: UnsafePointer<UInt8>?, _ nameLength: Int, value: UnsafePointer<UInt8>?,
                       _ valueLength: Int, keep: Bool, to block: inout (fields: [HeaderField], size: Int),
                       limit: Int) -> Bool {
        block.size += nameLength + valueLength + 32
        guard block.size <= limit else { return false }
        if keep {
            block.fields.append(HeaderField(
                name: String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
                value: String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)))
        }
        return true
    }
}
