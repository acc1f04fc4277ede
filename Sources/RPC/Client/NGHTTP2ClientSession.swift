import CNghttp2
import NIOCore

/// What nghttp2 reported on a client session during one `mem_recv` / `mem_send`, in order. As on the server,
/// callbacks only record these; the connection acts on them after nghttp2 has returned.
enum NGHTTP2ClientEvent {
    /// Response headers (`isTrailers` false) or trailers; `endStream` marks Trailers-Only / the end.
    case headers(streamID: Int32, fields: [HeaderField], isTrailers: Bool, endStream: Bool)
    case data(streamID: Int32, ByteBuffer)
    case endStream(streamID: Int32)
    case streamClosed(streamID: Int32, errorCode: UInt32)
    case pingAcknowledged(opaque: UInt64)
    case goAway(lastStreamID: Int32, errorCode: UInt32)
    /// The server's SETTINGS arrived (MAX_CONCURRENT_STREAMS may have changed).
    case settingsReceived
}

/// Supplies request DATA when nghttp2 asks for it (from inside `mem_send`).
protocol NGHTTP2ClientDataSource: AnyObject {
    func pullRequest(streamID: Int32, maxLength: Int) -> GRPCClientStreamStateMachine.Pull
}

/// One nghttp2 client session: the HTTP/2 state of one outgoing connection. Owned by
/// `GRPCClientConnectionHandler` and touched only on its event loop.
final class NGHTTP2ClientSession {
    struct Settings {
        var maxHeaderListSize: UInt32
        var initialWindowSize: UInt32
        var connectionWindowSize: Int32
    }

    private var session: OpaquePointer?
    private let allocator: ByteBufferAllocator
    let headerListLimit: Int
    weak var dataSource: NGHTTP2ClientDataSource?

    var events: [NGHTTP2ClientEvent] = []
    var headerBlocks: [Int32: (fields: [HeaderField], size: Int)] = [:]

    init(settings: Settings, allocator: ByteBufferAllocator) throws {
        self.allocator = allocator
        self.headerListLimit = Int(settings.maxHeaderListSize)

        var callbacks: OpaquePointer?
        try check("nghttp2_session_callbacks_new", nghttp2_session_callbacks_new(&callbacks))
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, clientOnBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, clientOnHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, clientOnFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, clientOnDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, clientOnStreamClose)

        // Response bytes are credited back by us (nghttp2_session_consume) as the caller reads them.
        var options: OpaquePointer?
        try check("nghttp2_option_new", nghttp2_option_new(&options))
        defer { nghttp2_option_del(options) }
        nghttp2_option_set_no_auto_window_update(options, 1)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        try check("nghttp2_session_client_new2", nghttp2_session_client_new2(&session, callbacks, userData, options))

        var entries = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                                   value: settings.maxHeaderListSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: settings.initialWindowSize),
        ]
        try check("nghttp2_submit_settings",
                  nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count))
        try check("nghttp2_session_set_local_window_size",
                  nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
                                                        settings.connectionWindowSize))
    }

    deinit { nghttp2_session_del(session) }

    // MARK: Driving

    func receive(_ bytes: ByteBuffer) throws {
        try NGHTTP2SessionIO.receive(session, bytes)
    }

    var hasEvents: Bool { !events.isEmpty }

    func takeEvents() -> [NGHTTP2ClientEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    func send(into buffer: inout ByteBuffer, limit: Int) throws {
        try NGHTTP2SessionIO.send(session, into: &buffer, limit: limit)
    }

    var wantsRead: Bool { nghttp2_session_want_read(session) != 0 }
    var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    /// The server's MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive).
    var remoteMaxConcurrentStreams: Int {
        Int(nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS))
    }

    // MARK: Submitting

    /// Request HEADERS with a data provider that defers until request messages are queued. Returns the stream id.
    func submitRequest(headers: [HeaderField]) throws -> Int32 {
        try NGHTTP2SessionIO.withNameValues(headers) { nva in
            var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: clientReadData)
            return nghttp2_submit_request(session, nil, nva.baseAddress, nva.count, &provider, nil)
        }
    }

    func consume(streamID: Int32, count: Int) {
        NGHTTP2SessionIO.consume(session, streamID: streamID, count: count)
    }

    func resumeData(streamID: Int32) { _ = nghttp2_session_resume_data(session, streamID) }

    func resetStream(streamID: Int32, errorCode: UInt32) {
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    func submitPing(opaque: UInt64) {
        NGHTTP2SessionIO.submitPing(session, opaque: opaque)
    }

    func submitGoAway() {
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, NGHTTP2_NO_ERROR.rawValue, nil, 0)
    }

    func pull(streamID: Int32, maxLength: Int) -> GRPCClientStreamStateMachine.Pull {
        dataSource?.pullRequest(streamID: streamID, maxLength: maxLength) ?? .deferred
    }

    func makeBuffer(_ bytes: UnsafeRawBufferPointer) -> ByteBuffer { allocator.buffer(bytes: bytes) }

}
