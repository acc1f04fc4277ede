import CNghttp2
import NIOCore

// The C callbacks of `NGHTTP2ServerSession`. They record events and answer nghttp2; they never re-enter it,
// except `nghttp2_submit_trailer` from the data read callback, which nghttp2 documents as allowed there.

private func owner(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2ServerSession {
    Unmanaged<NGHTTP2ServerSession>.fromOpaque(userData!).takeUnretainedValue()
}

private let endStreamFlag = UInt8(NGHTTP2_FLAG_END_STREAM.rawValue)

let onBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, userData in
    let session = owner(userData)
    let streamID = frame!.pointee.hd.stream_id
    session.headerBlocks[streamID] = ([], 0)
    return 0
}

let onHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    let session = owner(userData)
    let streamID = frame!.pointee.hd.stream_id
    guard var block = session.headerBlocks[streamID] else { return 0 }
    // Trailers from a client carry nothing this server uses; keep only request headers.
    guard NGHTTP2SessionIO.append(name: name, nameLength, value: value, valueLength,
                                  keep: frame!.pointee.headers.cat == NGHTTP2_HCAT_REQUEST, to: &block,
                                  limit: session.headerListLimit) else {
        session.headerBlocks[streamID] = nil
        // Resets only this stream (RST_STREAM INTERNAL_ERROR); the connection lives on.
        return Int32(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
    }
    session.headerBlocks[streamID] = block
    return 0
}

let onFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, userData in
    let session = owner(userData)
    let header = frame!.pointee.hd
    let endStream = header.flags & endStreamFlag != 0
    switch UInt32(header.type) {
    case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue, NGHTTP2_RST_STREAM.rawValue:
        session.streamFramesReceived += 1
    default:
        break
    }
    switch UInt32(header.type) {
    case NGHTTP2_HEADERS.rawValue:
        let block = session.headerBlocks.removeValue(forKey: header.stream_id)
        if frame!.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
            session.events.append(.requestHeaders(streamID: header.stream_id, fields: block?.fields ?? [],
                                                  endStream: endStream))
        } else if endStream {
            session.events.append(.endStream(streamID: header.stream_id))
        }
    case NGHTTP2_DATA.rawValue where endStream:
        session.events.append(.endStream(streamID: header.stream_id))
    case NGHTTP2_PING.rawValue where header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0:
        var opaque = frame!.pointee.ping.opaque_data
        let value = withUnsafeBytes(of: &opaque) { raw in raw.loadUnaligned(as: UInt64.self) }
        session.events.append(.pingAcknowledged(opaque: UInt64(bigEndian: value)))
    case NGHTTP2_PING.rawValue:
        session.events.append(.pingReceived)
    case NGHTTP2_SETTINGS.rawValue where header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0:
        session.events.append(.settingsReceived)
    default:
        break
    }
    return 0
}

let onFrameSent: nghttp2_on_frame_send_callback = { _, frame, userData in
    let header = frame!.pointee.hd
    if header.flags & endStreamFlag != 0,
       UInt32(header.type) == NGHTTP2_HEADERS.rawValue || UInt32(header.type) == NGHTTP2_DATA.rawValue {
        owner(userData).events.append(.responseEnded(streamID: header.stream_id))
    }
    return 0
}

let onDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    let session = owner(userData)
    session.events.append(.data(streamID: streamID, session.makeBuffer(UnsafeRawBufferPointer(start: data, count: length))))
    return 0
}

let onStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, userData in
    let session = owner(userData)
    session.headerBlocks[streamID] = nil
    session.events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
    return 0
}

let readData: nghttp2_data_source_read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
    let session = owner(userData)
    switch session.pull(streamID: streamID, maxLength: length) {
    case .bytes(let chunk):
        chunk.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress else { return }
            UnsafeMutableRawPointer(buffer!).copyMemory(from: base, byteCount: raw.count)
        }
        return chunk.readableBytes
    case .deferred:
        return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    case .reset:
        return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)  // RST_STREAM INTERNAL_ERROR
    case .trailers(let fields):
        dataFlags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
        guard session.submitTrailers(streamID: streamID, fields: fields) == 0 else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        return 0
    }
}
