import NIOCore
import NIOPosix
import Synchronization

/// An open connection as the pool sees it.
struct ClientConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<GRPCClientConnectionHandler>
    let state: ClientConnectionState

    var isUsable: Bool { channel.isActive && state.usable.load(ordering: .relaxed) }
}

/// One connection of the client's pool: connects on demand, replaces a connection that was lost or got
/// GOAWAY, and after failed attempts waits with exponential backoff and jitter. Calls asking while it is down
/// wait for the next attempt (within their deadline) or fail UNAVAILABLE at once (`failFastWhenDisconnected`).
actor RPCClientConnectionSlot {
    private let configuration: RPCClientConfiguration
    private let tls: OpenSSLClientContext?
    private var current: ClientConnection? {
        didSet { established.withLock { $0 = current } }
    }
    /// `current`, readable without entering the actor: a call on a live connection skips the actor hop.
    private let established = Mutex<ClientConnection?>(nil)
    private var connecting: Task<ClientConnection, any Error>?
    private var failures = 0
    private var retryAt: ContinuousClock.Instant?
    private var lastFailure = ""
    private var closed = false

    init(configuration: RPCClientConfiguration, tls: OpenSSLClientContext?) {
        self.configuration = configuration
        self.tls = tls
    }

    /// The live connection, if there is one, without waiting; nil means ask `connection(deadline:)`.
    nonisolated func usableConnection() -> ClientConnection? {
        guard let connection = established.withLock({ $0 }), connection.isUsable else { return nil }
        return connection
    }

    func connection(deadline: ContinuousClock.Instant?) async throws -> ClientConnection {
        while true {
            guard !closed else { throw GRPCStatus(.unavailable, "the client is closed") }
            if let current, current.isUsable { return current }
            current = nil
            if let retryAt, ContinuousClock.now < retryAt {
                let unavailable = GRPCStatus(.unavailable, "cannot connect to \(target): \(lastFailure)")
                if configuration.failFastWhenDisconnected { throw unavailable }
                if let deadline, deadline <= retryAt {
                    throw GRPCStatus(.deadlineExceeded, "deadline reached while reconnecting to \(target): \(lastFailure)")
                }
                do { try await Task.sleep(until: retryAt) } catch { throw GRPCStatus(.cancelled, "call cancelled") }
                continue
            }
            let task: Task<ClientConnection, any Error>
            if let connecting {
                task = connecting
            } else {
                let configuration = self.configuration, tls = self.tls
                task = Task { try await Self.connect(configuration: configuration, tls: tls) }
                connecting = task
            }
            do {
                let connection = try await Self.value(of: task, before: deadline, target: target)
                if connecting == task {
                    connecting = nil
                    failures = 0
                    retryAt = nil
                    current = connection
                }
                if closed { connection.channel.close(promise: nil) }
                return connection
            } catch let status as GRPCStatus where status.code == .deadlineExceeded {
                throw status  // this call gave up; the attempt goes on for the others
            } catch {
                if connecting == task {
                    connecting = nil
                    failures += 1
                    lastFailure = "\(error)"
                    retryAt = ContinuousClock.now + Duration.nanoseconds(
                        configuration.reconnectBackoff.delay(afterFailures: failures).nanoseconds)
                }
                if configuration.failFastWhenDisconnected {
                    throw GRPCStatus(.unavailable, "cannot connect to \(target): \(error)")
                }
            }
        }
    }

    /// Waits for a connection attempt shared by several calls, but no longer than this call's deadline.
    private static func value(of task: Task<ClientConnection, any Error>, before deadline: ContinuousClock.Instant?,
                              target: String) async throws -> ClientConnection {
        guard let deadline else { return try await task.value }
        return try await withThrowingTaskGroup(of: ClientConnection.self) { group in
            group.addTask { try await task.value }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw GRPCStatus(.deadlineExceeded, "deadline reached while connecting to \(target)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private var target: String { "\(configuration.host):\(configuration.port)" }

    private static func connect(configuration: RPCClientConfiguration,
                                tls: OpenSSLClientContext?) async throws -> ClientConnection {
        let state = ClientConnectionState()
        let bootstrap = ClientBootstrap(group: configuration.group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(configuration.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = OpenSSLConnectionHandler(role: .client(tls, serverName: tls.serverName ?? configuration.host))
                        try channel.pipeline.syncOperations.addHandler(handler)
                        state.tlsHandshake.withLock { $0 = handler.handshakeCompleted }
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        GRPCClientConnectionHandler(configuration: configuration, state: state, eventLoop: channel.eventLoop))
                }
            }
        let channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        if let handshake = state.tlsHandshake.withLock({ $0 }) {
            // A connection is established once TLS is: a refused handshake is a failed attempt (its reason kept
            // for the callers, the reconnect backoff applied), not a live connection that dies under a call.
            do {
                try await handshake.get()
            } catch {
                channel.close(promise: nil)
                throw error
            }
        }
        let handler: NIOLoopBound<GRPCClientConnectionHandler>
        do {
            handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: GRPCClientConnectionHandler.self),
                             eventLoop: channel.eventLoop)
            }.get()
        } catch {
            // The connection already ended (its handler is gone): report why, not the missing handler.
            throw state.endedBecause.withLock { $0 } ?? error
        }
        return ClientConnection(channel: channel, handler: handler, state: state)
    }

    /// Graceful: GOAWAY, in-flight calls finish (up to `grace`), then the connection closes.
    func close(grace: TimeAmount) async {
        closed = true
        connecting?.cancel()
        guard let current else { return }
        self.current = nil
        let channel = current.channel
        channel.pipeline.fireUserInboundEventTriggered(ClientCloseEvent())
        let timeout = channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        timeout.cancel()
    }
}
