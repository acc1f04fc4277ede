import CNghttp2
import NIOCore

/// What nghttp2 reported during one `mem_recv`, in order. Callbacks only record these; the connection acts on
/// them after `mem_recv` has returned, because nghttp2 must not be re-entered from its own callbacks.
enum NGHTTP2Event {
    case requestHeaders(streamID: Int32, fields: [HeaderField], endStream: Bool)
    case data(streamID: Int32, ByteBuffer)
    case endStream(streamID: Int32)
    case streamClosed(streamID: Int32, errorCode: UInt32)
    /// Our last frame of a response (END_STREAM) went out.
    case responseEnded(streamID: Int32)
    /// The peer answered one of our PINGs.
    case pingAcknowledged(opaque: UInt64)
    /// The peer sent a PING (nghttp2 has already queued its ACK); counted against ping flooding.
    case pingReceived
    /// The peer's SETTINGS (not an ACK); the first one completes the client preface.
    case settingsReceived
}

/// Supplies response DATA when nghttp2 asks for it (from inside `mem_send`).
protocol NGHTTP2DataSource: AnyObject {
    func pull(streamID: Int32, maxLength: Int) -> GRPCServerStreamStateMachine.Pull
}

enum NGHTTP2Error: Error, CustomStringConvertible {
    case call(String, Int)
    var description: String {
        switch self {
        case .call(let name, let code):
            return "\(name) failed: \(String(cString: nghttp2_strerror(Int32(truncatingIfNeeded: code))))"
        }
    }
}

/// One nghttp2 server session: the HTTP/2 protocol state of one connection. Not thread-safe by design:
/// the connection handler owns it and touches it only on its event loop.
final class NGHTTP2ServerSession {
    struct Settings {
        var maxConcurrentStreams: UInt32
        var maxHeaderListSize: UInt32
        var initialWindowSize: UInt32
        var connectionWindowSize: Int32
    }

    private var session: OpaquePointer?
    private let allocator: ByteBufferAllocator
    private let maxHeaderListSize: Int
    weak var dataSource: NGHTTP2DataSource?

    /// Filled by callbacks during `receive`, emptied when it returns.
    var events: [NGHTTP2Event] = []
    /// Complete HEADERS, DATA and RST_STREAM frames received so far: what the idle timer counts.
    var streamFramesReceived = 0
    /// Header blocks being received, with their HPACK-accounted size (RFC 9113 6.5.2: name + value + 32).
    var headerBlocks: [Int32: (fields: [HeaderField], size: Int)] = [:]

    init(settings: Settings, allocator: ByteBufferAllocator) throws {
        self.allocator = allocator
        self.maxHeaderListSize = Int(settings.maxHeaderListSize)

        var callbacks: OpaquePointer?
        try check("nghttp2_session_callbacks_new", nghttp2_session_callbacks_new(&callbacks))
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSent)

        // Window updates are ours to send (nghttp2_session_consume): a streaming handler that reads slowly
        // must hold its client back instead of making us buffer what it sends.
        var options: OpaquePointer?
        try check("nghttp2_option_new", nghttp2_option_new(&options))
        defer { nghttp2_option_del(options) }
        nghttp2_option_set_no_auto_window_update(options, 1)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        try check("nghttp2_session_server_new2",
                  nghttp2_session_server_new2(&session, callbacks, userData, options))

        var entries = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                                   value: settings.maxConcurrentStreams),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                                   value: settings.maxHeaderListSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: settings.initialWindowSize),
        ]
        try check("nghttp2_submit_settings",
                  nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count))
        // The connection window starts at 64 KiB whatever SETTINGS say; widen it so several streams can
        // upload at once without waiting for WINDOW_UPDATE round trips.
        try check("nghttp2_session_set_local_window_size",
                  nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
                                                        settings.connectionWindowSize))
    }

    deinit {
        nghttp2_session_del(session)
    }

    // MARK: Driving

    /// Feeds received bytes. Throws on a connection-level protocol error, after which the connection is to be
    /// closed once pending output (nghttp2 may have queued a GOAWAY) is written. Events go to `takeEvents`.
    func receive(_ bytes: ByteBuffer) throws {
        try NGHTTP2SessionIO.receive(session, bytes)
    }

    var hasEvents: Bool { !events.isEmpty }

    /// What callbacks recorded during `receive` and `send` (sending can close streams too), oldest first.
    func takeEvents() -> [NGHTTP2Event] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Appends what nghttp2 wants to send to `buffer`, stopping once it holds `limit` bytes.
    func send(into buffer: inout ByteBuffer, limit: Int) throws {
        try NGHTTP2SessionIO.send(session, into: &buffer, limit: limit)
    }

    var wantsRead: Bool { nghttp2_session_want_read(session) != 0 }
    var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }
    var lastProcessedStreamID: Int32 { nghttp2_session_get_last_proc_stream_id(session) }

    // MARK: Submitting

    /// Response headers; with `hasBody` the DATA comes from the data source, deferring while it has none.
    func submitResponse(streamID: Int32, headers: [HeaderField], hasBody: Bool) throws {
        try NGHTTP2SessionIO.withNameValues(headers) { nva in
            if hasBody {
                var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil),
                                                     read_callback: readData)
                return nghttp2_submit_response(session, streamID, nva.baseAddress, nva.count, &provider)
            }
            return nghttp2_submit_response(session, streamID, nva.baseAddress, nva.count, nil)
        }
    }

    /// Returns `count` received DATA bytes to the connection and stream windows (WINDOW_UPDATE follows once
    /// nghttp2 judges it worth sending). Also valid after the stream closed: the connection part still counts.
    func consume(streamID: Int32, count: Int) {
        NGHTTP2SessionIO.consume(session, streamID: streamID, count: count)
    }

    /// Wakes a data provider that returned NGHTTP2_ERR_DEFERRED. Harmless when it is not deferred.
    func resumeData(streamID: Int32) {
        _ = nghttp2_session_resume_data(session, streamID)
    }

    /// Whether the client has half-closed the stream (sent END_STREAM).
    func isRemoteClosed(streamID: Int32) -> Bool {
        nghttp2_session_get_stream_remote_close(session, streamID) != 0
    }

    func resetStream(streamID: Int32, errorCode: UInt32) {
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    /// First half of a graceful shutdown: GOAWAY with the largest stream id, so the client stops opening
    /// streams while those already in flight are still served.
    func submitShutdownNotice() {
        _ = nghttp2_submit_shutdown_notice(session)
    }

    func submitPing(opaque: UInt64) {
        NGHTTP2SessionIO.submitPing(session, opaque: opaque)
    }

    /// GOAWAY naming the last stream this connection will serve; later streams are refused by nghttp2.
    /// `debugData` says why (grpc clients log it, e.g. "too_many_pings").
    func submitGoAway(errorCode: UInt32, debugData: String = "") {
        let bytes = Array(debugData.utf8)
        _ = bytes.withUnsafeBufferPointer { data in
            nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastProcessedStreamID,
                                  errorCode, data.isEmpty ? nil : data.baseAddress, data.count)
        }
    }

    func submitTrailers(streamID: Int32, fields: [HeaderField]) -> Int32 {
        (try? NGHTTP2SessionIO.withNameValues(fields) { nva in
            nghttp2_submit_trailer(session, streamID, nva.baseAddress, nva.count)
        }) ?? Int32(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue)
    }

    func pull(streamID: Int32, maxLength: Int) -> GRPCServerStreamStateMachine.Pull {
        dataSource?.pull(streamID: streamID, maxLength: maxLength) ?? .deferred
    }

    func makeBuffer(_ bytes: UnsafeRawBufferPointer) -> ByteBuffer {
        allocator.buffer(bytes: bytes)
    }

    var headerListLimit: Int { maxHeaderListSize }

}

func check(_ name: String, _ result: Int32) throws {
    if result < 0 { throw NGHTTP2Error.call(name, Int(result)) }
}
