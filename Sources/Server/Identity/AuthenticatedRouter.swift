import NIOCore
import YibaoCrypto
import YibaoMapping
import YibaoRPC

/// Wraps every method of a router so that the call is authenticated before its handler runs, at the byte level
/// (the signature covers SM3 of the request bytes as sent, which a re-encoding need not reproduce). The identity
/// reaches the handler as `CallerIdentity.current`; a refusal ends the call with UNAUTHENTICATED.
public enum AuthenticatedRouter {
    /// `signatureExecutor`: where methods placed on their connection's event loop verify a signed call. An SM2
    /// verification costs far more CPU than such a method's whole handler, and on the loop it would hold up the
    /// I/O of every connection there; mutual-TLS and development calls never leave the loop.
    public static func wrapping(_ router: RPCRouter, with authenticator: CallAuthenticator,
                                signatureExecutor: (any TaskExecutor)? = nil) -> RPCRouter {
        var wrapped = RPCRouter()
        for path in router.paths {
            guard let route = router.route(for: path) else { continue }
            let verifier = Verifier(authenticator: authenticator,
                                    executor: route.placement == .connectionLoop ? signatureExecutor : nil)
            wrapped.register(path, wrap(route.handler, verifier), placement: route.placement)
        }
        return wrapped
    }

    /// Adds the wrapped methods of `router` to `target` (for nodes that also serve unauthenticated services).
    public static func register(_ router: RPCRouter, into target: inout RPCRouter, with authenticator: CallAuthenticator,
                                signatureExecutor: (any TaskExecutor)? = nil) {
        let wrapped = wrapping(router, with: authenticator, signatureExecutor: signatureExecutor)
        for path in wrapped.paths {
            if let route = wrapped.route(for: path) { target.register(path, route.handler, placement: route.placement) }
        }
    }

    private struct Verifier: Sendable {
        let authenticator: CallAuthenticator
        let executor: (any TaskExecutor)?

        func identify(_ context: RPCServerContext, digest: () -> Digest32) async throws -> CallerIdentity {
            if let executor, context.requestMetadata.firstBytes(CallAuthenticator.signatureKey) != nil {
                return try await withTaskExecutorPreference(executor) {
                    try AuthenticatedRouter.identify(context, digest: digest(), authenticator)
                }
            }
            return try AuthenticatedRouter.identify(context, digest: digest(), authenticator)
        }
    }

    private static let emptyDigest = HashAlgorithm.sm3.hash([UInt8]())

    private static func wrap(_ handler: RPCMethodHandler, _ verifier: Verifier) -> RPCMethodHandler {
        switch handler {
        case .unary(let body):
            return .unary { request, context in
                let identity = try await verifier.identify(context) { digest(request) }
                return try await CallerIdentity.$current.withValue(identity) { try await body(request, context) }
            }
        case .serverStreaming(let body):
            return .serverStreaming { request, context, writer in
                let identity = try await verifier.identify(context) { digest(request) }
                try await CallerIdentity.$current.withValue(identity) { try await body(request, context, writer) }
            }
        case .clientStreaming(let body):
            return .clientStreaming { requests, context in
                let identity = try await verifier.identify(context) { emptyDigest }
                return try await CallerIdentity.$current.withValue(identity) { try await body(requests, context) }
            }
        case .bidirectionalStreaming(let body):
            return .bidirectionalStreaming { requests, context, writer in
                let identity = try await verifier.identify(context) { emptyDigest }
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
