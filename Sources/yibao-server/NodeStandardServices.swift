import YibaoServer
import YibaoRPC

/// grpc.health.v1 and server reflection on the node (Sources/Server/Standard), so load balancers and grpcurl
/// work against it. Health says SERVING for the node and each yibao.v1 service until shutdown begins, or until the
/// node finds its store damaged (NOT_SERVING from then on).
struct NodeStandardServices {
    static var yibaoServices: [String] { NodeServices.serviceNames }

    let health = HealthStatusBoard()

    /// The services are known to the board before the node starts: a store found damaged as the node opens turns
    /// every known service NOT_SERVING for good, and a later SERVING must not make them appear.
    init() {
        for service in Self.yibaoServices { health.setStatus(.serving, for: service) }
    }

    func register(in router: inout RPCRouter) {
        StandardServices.register(in: &router, health: health)
    }
}
