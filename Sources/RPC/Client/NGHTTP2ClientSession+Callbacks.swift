import CNghttp2
import NIOCore

// The C callbacks of `NGHTTP2ClientSession`: they record events and answer nghttp2, never re-enter it.

private func owner(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2ClientSession {
    Unmanaged<NGHTTP2ClientSession>.fromOpaque(userData!).takeUnretainedValue()
}

private let endStreamFlag = UInt8(NGHTTP2_FLAG_END_STREAM.rawValue)
private let ackFlag = UInt8(NGHTTP2_FLAG_ACK.rawValue)

let clientOnBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, userData in
    owner(userData).headerBlocks[frame!.pointee.hd.stream_id] = ([], 0)
    return 0
}

let clientOnHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    let session = owner(userData)
    let streamID = frame!.pointee.hd.stream_id
    guard var block = session.headerBlocks[streamID] else { return 0 }
    guard NGHTTP2SessionIO.append(name: name, nameLength, value: value, valueLength, keep: true, to: &block,
                                  limit: session.headerListLimit) else {
        session.headerBlocks[streamID] = nil
        // Resets this stream only; the call fails as INTERNAL when the stream closes.
        return Int32(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
    }
    session.headerBlocks[streamID] = block
    return 0
}

let clientOnFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, userData in
    let session = owner(userData)
    let header = frame!.pointee.hd
    let endStream = header.flags & endStreamFlag != 0
    switch UInt32(header.type) {
    case NGHTTP2_HEADERS.rawValue:
        let block = session.headerBlocks.removeValue(forKey: header.stream_id)
        let category = frame!.pointee.headers.cat
        if category == NGHTTP2_HCAT_RESPONSE || category == NGHTTP2_HCAT_HEADERS {
            session.events.append(.headers(streamID: header.stream_id, fields: block?.fields ?? [],
                                           isTrailers: category == NGHTTP2_HCAT_HEADERS, endStream: endStream))
        }
    case NGHTTP2_DATA.rawValue where endStream:
        session.events.append(.endStream(streamID: header.stream_id))
    case NGHTTP2_PING.rawValue where header.flags & ackFlag != 0:
        var opaque = frame!.pointee.ping.opaque_data
        let value = withUnsafeBytes(of: &opaque) { raw in raw.loadUnaligned(as: UInt64.self) }
        session.events.append(.pingAcknowledged(opaque: UInt64(bigEndian: value)))
    case NGHTTP2_GOAWAY.rawValue:
        session.events.append(.goAway(lastStreamID: frame!.pointee.goaway.last_stream_id,
                                      errorCode: frame!.pointee.goaway.error_code))
    case NGHTTP2_SETTINGS.rawValue where header.flags & ackFlag == 0:
        session.events.append(.settingsReceived)
    default:
        break
    }
    return 0
}

let clientOnDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    let session = owner(userData)
    session.events.append(.data(streamID: streamID,
                                session.makeBuffer(UnsafeRawBufferPointer(start: data, count: length))))
    return 0
}

let clientOnStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, userData in
    let session = owner(userData)
    session.headerBlocks[streamID] = nil
    session.events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
    return 0
}

let clientReadData: nghttp2_data_source_read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
    switch owner(userData).pull(streamID: streamID, maxLength: length) {
    case .bytes(let chunk):
        return copy(chunk, to: buffer)
    case .lastBytes(let chunk):
        dataFlags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
        return copy(chunk, to: buffer)
    case .deferred:
        return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    case .end:
        // gRPC requests carry no trailers: END_STREAM on the last DATA frame half-closes the call.
        dataFlags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
        return 0
    }
}

private func copy(_ chunk: ByteBuffer, to buffer: UnsafeMutablePointer<UInt8>?) -> Int {
    chunk.withUnsafeReadableBytes { raw in
        guard let base = raw.baseAddress else { return }
        UnsafeMutableRawPointer(buffer!).copyMemory(from: base, byteCount: raw.count)
    }
    return chunk.readableBytes
}
