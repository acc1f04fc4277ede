import COpenSSL
import NIOCore

/// TLS on one connection, server or client side (`Role`): an OpenSSL `SSL` over two memory BIOs, placed
/// before the gRPC connection handler. The roles differ only in set-up (accept vs connect state, the client's
/// server-name and hostname check) and in who speaks first; everything after is shared. Ciphertext from the socket goes into `rbio`; decrypted bytes go on inbound. Plaintext written by
/// the gRPC handler is encrypted at once and whatever OpenSSL put in `wbio` is written to the socket.
///
/// Nothing is buffered without bound: both BIOs are emptied after every step (rbio holds at most one socket
/// read, decrypted on the spot; wbio is moved to the channel right away), so backpressure stays the channel's:
/// ciphertext fills the channel's outbound buffer, writability flips, and the gRPC handler stops producing
/// and stops reading exactly as it does over plaintext. Only the writes made before the handshake completes
/// wait here, at most `maxPendingPlaintextBytes` (in practice the server's SETTINGS frame).
final class OpenSSLConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Plaintext decrypted per `SSL_read`, and encrypted per `SSL_write` (a TLS record holds at most 16 KiB).
    static let recordChunk = 16 * 1024
    /// Writes held back until the handshake completes; a peer that makes us exceed this is cut off.
    static let maxPendingPlaintextBytes = 256 * 1024

    private enum State { case handshaking, open, closed }

    enum Role {
        case server(OpenSSLServerContext)
        /// `serverName`: sent as SNI (unless an IP address) and checked against the server certificate.
        case client(OpenSSLClientContext, serverName: String)
    }

    private let role: Role
    private let contextPointer: OpaquePointer
    private let handshakeTimeout: TimeAmount
    private let log: @Sendable (String) -> Void
    private var state = State.handshaking
    private var ssl: OpaquePointer?
    /// Owned by `ssl` (SSL_set_bio); valid while `ssl` is.
    private var readBIO: OpaquePointer?
    private var writeBIO: OpaquePointer?
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var pendingBytes = 0
    private var handshakeTimer: Scheduled<Void>?
    private var clientHelloSent = false
    /// The last ciphertext handed to the channel; closing waits for it so an alert or close_notify gets out.
    private var lastWrite: EventLoopFuture<Void>?
    /// Completed when the handshake succeeds, failed with the TLS reason when it does not; see `handshakeCompleted`.
    private var handshakePromise: EventLoopPromise<Void>?
    /// Succeeds once the handshake is done; fails with a `TLSError` naming why it was not (nil before the handler
    /// is added). The client waits for it before using a connection, so a refused handshake is a failed connect.
    private(set) var handshakeCompleted: EventLoopFuture<Void>?

    init(role: Role) {
        self.role = role
        switch role {
        case .server(let context):
            contextPointer = context.pointer
            handshakeTimeout = context.configuration.handshakeTimeout
            log = context.configuration.log
        case .client(let context, _):
            contextPointer = context.pointer
            handshakeTimeout = context.configuration.handshakeTimeout
            log = context.configuration.log
        }
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        handshakePromise = promise
        handshakeCompleted = promise.futureResult
        guard let ssl = SSL_new(contextPointer), let readBIO = BIO_new(BIO_s_mem()), let writeBIO = BIO_new(BIO_s_mem())
        else {
            let reasons = OpenSSLErrorQueue.drain()
            log("cannot create an SSL object: \(reasons)")
            endHandshake(TLSError("TLS cannot create an SSL object", openSSLReasons: reasons))
            state = .closed
            context.close(promise: nil)
            return
        }
        SSL_set_bio(ssl, readBIO, writeBIO)
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client(_, let serverName):
            SSL_set_connect_state(ssl)
            guard OpenSSLClientContext.prepare(ssl, serverName: serverName) else {
                let reasons = OpenSSLErrorQueue.drain()
                log("cannot set the expected server name \(serverName): \(reasons)")
                endHandshake(TLSError("TLS cannot set the expected server name \(serverName)", openSSLReasons: reasons))
                SSL_free(ssl)
                state = .closed
                context.close(promise: nil)
                return
            }
        }
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        handshakeTimer = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let (handler, context) = bound.value
            guard handler.state == .handshaking else { return }
            handler.fail(context, "handshake not finished within \(handler.handshakeTimeout)")
        }
        if context.channel.isActive { startClientHandshake(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startClientHandshake(context)
        context.fireChannelActive()
    }

    /// The client speaks first: its ClientHello goes out as soon as the socket is connected.
    private func startClientHandshake(_ context: ChannelHandlerContext) {
        guard case .client = role, state == .handshaking, !clientHelloSent else { return }
        clientHelloSent = true
        advanceHandshake(context)
        writeCiphertext(context, flush: true)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        endHandshake(TLSError("TLS connection closed during the handshake"))
        handshakeTimer?.cancel()
        failPendingWrites()
        if let ssl { SSL_free(ssl) }  // frees both BIOs too
        ssl = nil
        readBIO = nil
        writeBIO = nil
        state = .closed
    }

    func channelInactive(context: ChannelHandlerContext) {
        endHandshake(TLSError("TLS connection closed during the handshake"))
        handshakeTimer?.cancel()
        failPendingWrites()
        state = .closed
        context.fireChannelInactive()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state != .closed, let readBIO else { return }
        let bytes = unwrapInboundIn(data)
        let accepted = bytes.withUnsafeReadableBytes { raw in
            raw.isEmpty ? 0 : BIO_write(readBIO, raw.baseAddress, Int32(raw.count))
        }
        guard accepted == Int32(bytes.readableBytes) else {
            fail(context, "memory BIO refused \(bytes.readableBytes) bytes")
            return
        }
        if state == .handshaking { advanceHandshake(context) }
        if state == .open { decryptAvailable(context) }
        writeCiphertext(context, flush: true)
    }

    private func advanceHandshake(_ context: ChannelHandlerContext) {
        guard let ssl else { return }
        let result = SSL_do_handshake(ssl)
        guard result == 1 else {
            let error = SSL_get_error(ssl, result)
            if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { return }
            let verify = SSL_get_verify_result(ssl)
            let whose: String
            if case .client = role { whose = "server" } else { whose = "client" }
            let verifyReason = verify == Int(X509_V_OK) ? "" :
                " (\(whose) certificate: \(String(cString: X509_verify_cert_error_string(verify))))"
            fail(context, "handshake failed\(verifyReason): \(describe(error))")
            return
        }
        var protocolName: UnsafePointer<UInt8>?
        var protocolLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &protocolName, &protocolLength)
        guard protocolLength == 2, let protocolName, protocolName[0] == UInt8(ascii: "h"),
              protocolName[1] == UInt8(ascii: "2") else {
            // Unreachable while the ClientHello and ALPN callbacks refuse such clients with no_application_protocol;
            // kept so that no connection without h2 ever reaches nghttp2. Ends the session with close_notify.
            SSL_shutdown(ssl)
            fail(context, "the peer did not negotiate ALPN h2")
            return
        }
        state = .open
        handshakeTimer?.cancel()
        handshakeTimer = nil
        endHandshake(nil)
        context.fireUserInboundEventTriggered(TLSHandshakeCompletedEvent(peer: TLSPeerIdentityReader.verifiedPeer(of: ssl)))
        let held = pendingWrites
        pendingWrites.removeAll()
        pendingBytes = 0
        for (buffer, promise) in held where state == .open {
            encrypt(context, buffer, promise: promise)
        }
    }

    /// Decrypts everything the read BIO holds (at most one socket read) and passes it on.
    private func decryptAvailable(_ context: ChannelHandlerContext) {
        while state == .open, let ssl {
            var plaintext = context.channel.allocator.buffer(capacity: Self.recordChunk)
            var result: Int32 = 0
            plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.recordChunk) { raw in
                result = SSL_read(ssl, raw.baseAddress, Int32(Self.recordChunk))
                return Int(max(result, 0))
            }
            if result > 0 {
                context.fireChannelRead(wrapInboundOut(plaintext))
                continue
            }
            let error = SSL_get_error(ssl, result)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                // The client's close_notify: answer with ours, then close.
                SSL_shutdown(ssl)
                state = .closed
                writeCiphertext(context, flush: true)
                closeAfterLastWrite(context, mode: .all, promise: nil)
                return
            default:
                fail(context, "connection failed: \(describe(error))")
                return
            }
        }
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch state {
        case .handshaking:
            pendingBytes += buffer.readableBytes
            pendingWrites.append((buffer, promise))
            if pendingBytes > Self.maxPendingPlaintextBytes {
                fail(context, "more than \(Self.maxPendingPlaintextBytes) bytes written before the handshake")
            }
        case .open:
            encrypt(context, buffer, promise: promise)
        case .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    func flush(context: ChannelHandlerContext) {
        guard state == .open else {
            if state == .closed { context.flush() }
            return  // handshaking: held writes go out once it completes
        }
        writeCiphertext(context, flush: true)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, state != .closed, let ssl else {
            context.close(mode: mode, promise: promise)
            return
        }
        // Our close_notify first, so the client knows the stream was not truncated.
        if state == .open { SSL_shutdown(ssl) }
        state = .closed
        failPendingWrites()
        writeCiphertext(context, flush: true)
        closeAfterLastWrite(context, mode: mode, promise: promise)
    }

    private func encrypt(_ context: ChannelHandlerContext, _ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard let ssl else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var remaining = buffer
        while remaining.readableBytes > 0 {
            let count = min(remaining.readableBytes, Self.recordChunk)
            let written = remaining.withUnsafeReadableBytes { raw in SSL_write(ssl, raw.baseAddress, Int32(count)) }
            guard written > 0 else {
                let reason = describe(SSL_get_error(ssl, written))
                promise?.fail(TLSError("encryption failed: \(reason)"))
                fail(context, "encryption failed: \(reason)")
                return
            }
            remaining.moveReaderIndex(forwardBy: Int(written))
        }
        writeCiphertext(context, flush: false, promise: promise)
    }

    /// Moves everything OpenSSL has written to `wbio` (records, alerts, tickets) onto the channel.
    private func writeCiphertext(_ context: ChannelHandlerContext, flush: Bool, promise: EventLoopPromise<Void>? = nil) {
        guard let writeBIO else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let pending = Int(BIO_ctrl_pending(writeBIO))
        if pending > 0 {
            var ciphertext = context.channel.allocator.buffer(capacity: pending)
            ciphertext.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { raw in
                Int(max(BIO_read(writeBIO, raw.baseAddress, Int32(pending)), 0))
            }
            let write = context.write(wrapOutboundOut(ciphertext))
            if let promise { write.cascade(to: promise) }
            lastWrite = write
        } else {
            promise?.succeed()
        }
        if flush { context.flush() }
    }

    // MARK: Failure and closing

    /// Ends this connection only: logs why, sends whatever alert OpenSSL queued, tells the client side's
    /// callers why (the handshake waiter, the gRPC handler's calls), closes.
    private func fail(_ context: ChannelHandlerContext, _ reason: String) {
        guard state != .closed else { return }
        state = .closed
        let peer = context.channel.remoteAddress.map { "\($0)" } ?? "unknown peer"
        log("\(peer): \(reason)")
        handshakeTimer?.cancel()
        failPendingWrites()
        writeCiphertext(context, flush: true)
        let error = TLSError("TLS \(reason)")
        endHandshake(error)
        if case .client = role { context.fireUserInboundEventTriggered(TLSConnectionFailedEvent(error: error)) }
        closeAfterLastWrite(context, mode: .all, promise: nil)
    }

    /// Completes the handshake waiter once: nil for success, else why it failed.
    private func endHandshake(_ error: TLSError?) {
        guard let promise = handshakePromise else { return }
        handshakePromise = nil
        if let error { promise.fail(error) } else { promise.succeed() }
    }

    private func closeAfterLastWrite(_ context: ChannelHandlerContext, mode: CloseMode,
                                     promise: EventLoopPromise<Void>?) {
        guard let lastWrite else {
            context.close(mode: mode, promise: promise)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        lastWrite.whenComplete { _ in bound.value.close(mode: mode, promise: promise) }
    }

    private func failPendingWrites() {
        let held = pendingWrites
        pendingWrites.removeAll()
        pendingBytes = 0
        for (_, promise) in held { promise?.fail(ChannelError.ioOnClosedChannel) }
    }

    private func describe(_ sslError: Int32) -> String {
        let reasons = OpenSSLErrorQueue.drain()
        switch sslError {
        case SSL_ERROR_SYSCALL: return reasons.isEmpty ? "unexpected end of stream" : reasons.joined(separator: "; ")
        case SSL_ERROR_SSL: return reasons.isEmpty ? "protocol error" : reasons.joined(separator: "; ")
        default: return "SSL error \(sslError)" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))
        }
    }
}
