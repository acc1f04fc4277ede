import NIOCore
import Synchronization
import YibaoRPC

/// What the test handlers saw, for assertions the client cannot make (e.g. "the handler was cancelled").
final class CallProbe: Sendable {
    private let state = Mutex<(sleeps: Int, cancelledSleeps: Int, slowStarted: Int, floodWrites: Int,
                               floodEnded: Bool)>((0, 0, 0, 0, false))

    var sleeps: Int { state.withLock { $0.sleeps } }
    var cancelledSleeps: Int { state.withLock { $0.cancelledSleeps } }
    var slowStarted: Int { state.withLock { $0.slowStarted } }
    /// Writes of the Flood method that have returned, i.e. that the transport accepted.
    var floodWrites: Int { state.withLock { $0.floodWrites } }
    var floodEnded: Bool { state.withLock { $0.floodEnded } }

    func recordFloodWrite() { state.withLock { $0.floodWrites += 1 } }
    func recordFloodEnded() { state.withLock { $0.floodEnded = true } }

    func recordSleep() { state.withLock { $0.sleeps += 1 } }
    func recordCancelledSleep() { state.withLock { $0.cancelledSleeps += 1 } }
    func recordSlowStarted() { state.withLock { $0.slowStarted += 1 } }
}

struct NotAStatusError: Error {}

/// The `yibao.test.v1.Echo` service the interop client drives.
enum EchoService {
    static func router(probe: CallProbe) -> RPCRouter {
        var router = RPCRouter()

        // Echoes the request; `x-*` request metadata comes back as `echo-x-*` headers and `trailer-x-*` trailers.
        router.register("/yibao.test.v1.Echo/Unary", .unary { request, context in
            var initial = GRPCMetadata(), trailing = GRPCMetadata()
            for (key, value) in context.requestMetadata where key.hasPrefix("x-") {
                switch value {
                case .string(let text):
                    initial.add("echo-" + key, text)
                    trailing.add("trailer-" + key, text)
                case .binary(let bytes):
                    initial.add("echo-" + key, bytes: bytes)
                    trailing.add("trailer-" + key, bytes: bytes)
                }
            }
            context.initialMetadata = initial
            context.trailingMetadata = trailing
            return request
        })

        // Request: 4-byte big-endian count, then a payload; responds with `count` copies of the payload.
        router.register("/yibao.test.v1.Echo/Expand", .serverStreaming { request, _, writer in
            var request = request
            guard let count = request.readInteger(as: UInt32.self), count <= 100_000 else {
                throw GRPCStatus(.invalidArgument, "count missing or above 100000")
            }
            for _ in 0..<count {
                try await writer.write(request)
            }
        })

        // Writes 1000 messages of 64 KiB as fast as the transport lets it: a client that does not read must
        // make the writer wait, not make the server buffer 64 MiB.
        router.register("/yibao.test.v1.Echo/Flood", .serverStreaming { _, _, writer in
            defer { probe.recordFloodEnded() }
            let chunk = ByteBuffer(repeating: 0x5A, count: 64 * 1024)
            for _ in 0..<1000 {
                try await writer.write(chunk)
                probe.recordFloodWrite()
            }
        })

        // Client streaming: the response is all request messages joined (at most 4 MiB).
        router.register("/yibao.test.v1.Echo/Collect", .clientStreaming { requests, _ in
            var joined = ByteBuffer()
            for try await var message in requests {
                guard joined.readableBytes + message.readableBytes <= 4 << 20 else {
                    throw GRPCStatus(.resourceExhausted, "joined requests above 4 MiB")
                }
                joined.writeBuffer(&message)
            }
            return joined
        })

        // Client streaming, read slowly: answers "<messages> <bytes>". The pauses let the request buffer fill,
        // so inbound flow control has to hold the client back and then let it go on.
        router.register("/yibao.test.v1.Echo/Count", .clientStreaming { requests, _ in
            var messages = 0, bytes = 0
            for try await message in requests {
                messages += 1
                bytes += message.readableBytes
                if messages % 100 == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
            return ByteBuffer(string: "\(messages) \(bytes)")
        })

        // Bidirectional: every request comes straight back, before the client has finished sending.
        router.register("/yibao.test.v1.Echo/Chat", .bidirectionalStreaming { requests, _, writer in
            for try await message in requests {
                try await writer.write(message)
            }
        })

        // Reads one request, then waits to be cancelled: whatever else the client sends stays unread.
        router.register("/yibao.test.v1.Echo/Hold", .clientStreaming { requests, _ in
            var iterator = requests.makeAsyncIterator()
            _ = try await iterator.next()
            try await Task.sleep(for: .seconds(60))
            return ByteBuffer()
        })

        // Request: one byte status code, then the message; throws that status. Empty: throws a non-status error.
        router.register("/yibao.test.v1.Echo/Fail", .unary { request, _ in
            var request = request
            guard let raw = request.readInteger(as: UInt8.self) else { throw NotAStatusError() }
            let code = GRPCStatus.Code(rawValue: Int(raw)) ?? .unknown
            throw GRPCStatus(code, request.readString(length: request.readableBytes) ?? "")
        })

        // Sleeps far longer than any test waits; only cancellation (deadline, RST_STREAM) ends it.
        router.register("/yibao.test.v1.Echo/Sleep", .unary { request, _ in
            probe.recordSleep()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                probe.recordCancelledSleep()
                throw error
            }
            return request
        })

        // Answers the caller's verified client-certificate CN (empty without one): how services learn the org.
        router.register("/yibao.test.v1.Echo/Peer", .unary { _, context in
            ByteBuffer(string: context.peerCommonName ?? "")
        })

        // Answers the whole identity: "<subject>|<sha-256 fingerprint>".
        router.register("/yibao.test.v1.Echo/PeerIdentity", .unary { _, context in
            ByteBuffer(string: "\(context.peer?.subject ?? "")|\(context.peer?.sha256Fingerprint ?? "")")
        })

        // Takes a while, ignoring nothing: used to check that graceful shutdown waits for it.
        router.register("/yibao.test.v1.Echo/Slow", .unary { request, _ in
            probe.recordSlowStarted()
            try await Task.sleep(for: .seconds(1))
            return request
        })
        return router
    }
}
