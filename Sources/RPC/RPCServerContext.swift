import NIOCore
import Synchronization

/// What a handler knows about its call, and the metadata it sends back.
/// Shared between the handler task and the event loop, hence the lock around the response metadata.
public final class RPCServerContext: Sendable {
    /// The path, `/package.Service/Method`.
    public let method: String
    /// The client's custom metadata; `-bin` values already base64-decoded.
    public let requestMetadata: GRPCMetadata
    /// When the client gives up (from `grpc-timeout`); the handler's task is cancelled at that moment.
    public let deadline: NIODeadline?
    /// The verified client certificate of the connection (mutual TLS); nil over h2c or without one.
    public let peer: TLSPeerIdentity?
    /// The client certificate's subject CN, which names the caller's org (e.g. `H46010600001`).
    public var peerCommonName: String? { peer?.commonName }

    private let responseMetadata = Mutex<(initial: GRPCMetadata, trailing: GRPCMetadata)>((.init(), .init()))

    init(method: String, requestMetadata: GRPCMetadata, deadline: NIODeadline?, peer: TLSPeerIdentity? = nil) {
        self.peer = peer
        self.method = method
        self.requestMetadata = requestMetadata
        self.deadline = deadline
    }

    /// Metadata for the response headers; it takes effect if set before the first message is written
    /// (for unary calls: before the handler returns).
    public var initialMetadata: GRPCMetadata {
        get { responseMetadata.withLock { $0.initial } }
        set { responseMetadata.withLock { $0.initial = newValue } }
    }

    /// Metadata sent with `grpc-status` in the trailers, on success and on error alike.
    public var trailingMetadata: GRPCMetadata {
        get { responseMetadata.withLock { $0.trailing } }
        set { responseMetadata.withLock { $0.trailing = newValue } }
    }
}
