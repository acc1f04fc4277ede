import NIOCore
import YibaoCrypto
import YibaoRPC

/// Wraps every method of a router so that the call is authenticated before its handler runs, at the byte level
/// (the signature covers SM3 of the request bytes as sent, which a re-encoding need not reproduce). The identity
/// reaches the handler as `CallerIdentity.current`; a refusal ends the call with UNAUTHENTICATED.
public enum AuthenticatedRouter {
    public static func wrapping(_ router: RPCRouter, with authenticator: CallAuthenticator) -> RPCRouter {
        var wrapped = RPCRouter()
        for path in router.paths {
            guard let handler = router.handler(for: path) else { continue }
            wrapped.register(path, wrap(handler, authenticator))
        }
        return wrapped
    }

    /// Adds the wrapped methods of `router` to `target` (for nodes that also serve unauthenticated services).
    public static func register(_ router: RPCRouter, into target: inout RPCRouter, with authenticator: CallAuthenticator) {
        let wrapped = wrapping(router, with: authenticator)
        for path in wrapped.paths {
            if let handler = wrapped.handler(for: path) { target.register(path, handler) }
        }
    }

    private static let emptyDigest = HashAlgorithm.sm3.hash([UInt8]())

    private static func wrap(_ handler: RPCMethodHandler, _ authenticator: CallAuthenticator) -> RPCMethodHandler {
        switch handler {
        case .unary(let body):
            return .unary { request, context in
                let identity = try identify(context, digest: digest(request), authenticator)
                return try await CallerIdentity.$current.withValue(identity) { try await body(request, context) }
            }
        case .serverStreaming(let body):
            return .serverStreaming { request, context, writer in
                let identity = try identify(context, digest: digest(request), authenticator)
                try await CallerIdentity.$current.withValue(identity) { try await body(request, context, writer) }
            }
        case .clientStreaming(let body):
            return .clientStreaming { requests, context in
                let identity = try identify(context, digest: emptyDigest, authenticator)
                return try await CallerIdentity.$current.withValue(identity) { try await body(requests, context) }
            }
        case .bidirectionalStreaming(let body):
            return .bidirectionalStreaming { requests, context, writer in
                let identity = try identify(context, digest: emptyDigest, authenticator)
                try await CallerIdentity.$current.withValue(identity) { try await body(requests, context, writer) }
            }
        }
    }

    private static func digest(_ request: ByteBuffer) -> Digest32 {
        request.withUnsafeReadableBytes { HashAlgorithm.sm3.hash($0) }
    }

    private static func identify(_ context: RPCServerContext, digest: @autoclosure () -> Digest32,
                                 _ authenticator: CallAuthenticator) throws -> CallerIdentity {
        do {
            return try authenticator.authenticate(method: context.method, metadata: context.requestMetadata,
                                                  peer: context.peer, requestDigest: digest())
        } catch {
            throw StatusMapping.status(for: error)
        }
    }
}
