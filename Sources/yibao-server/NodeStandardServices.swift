import YibaoServer
import YibaoRPC

/// grpc.health.v1 and server reflection on the node (Sources/Server/Standard), so load balancers and grpcurl
/// work against it. Health says SERVING for the node and each yibao.v1 service until shutdown begins.
struct NodeStandardServices {
    static let yibaoServices = ["yibao.v1.InvoiceService", "yibao.v1.SettlementService", "yibao.v1.AccountService",
                                "yibao.v1.AuthorizationService", "yibao.v1.LedgerService"]

    let health = HealthStatusBoard()

    func register(in router: inout RPCRouter) {
        for service in Self.yibaoServices { health.setStatus(.serving, for: service) }
        StandardServices.register(in: &router, health: health)
    }
}
