import YibaoRPC

/// A Yibao service a node serves: built from the node's `ServiceContext`, it registers its methods in a router.
protocol NodeServiceHandler {
    /// `yibao.v1.InvoiceService`: the generated provider protocol gives it.
    static var serviceName: String { get }
    init(context: ServiceContext)
    func register(in router: inout RPCRouter)
}

/// The one list of the node's Yibao services (they sit behind `AuthenticatedRouter`). An aggregate's handler is
/// added here (docs/extending.md).
public enum NodeServices {
    /// The services' full names, as health and reflection know them.
    public static var serviceNames: [String] { handlers.map { $0.serviceName } }

    static let handlers: [any NodeServiceHandler.Type] = [
        InvoiceServiceHandler.self,
        SettlementServiceHandler.self,
        AccountServiceHandler.self,
        AuthorizationServiceHandler.self,
        LedgerServiceHandler.self,
    ]

    static func register(_ context: ServiceContext, in router: inout RPCRouter) {
        for handler in handlers { handler.init(context: context).register(in: &router) }
    }
}

extension InvoiceServiceHandler: NodeServiceHandler {}
extension SettlementServiceHandler: NodeServiceHandler {}
extension AccountServiceHandler: NodeServiceHandler {}
extension AuthorizationServiceHandler: NodeServiceHandler {}
extension LedgerServiceHandler: NodeServiceHandler {}
