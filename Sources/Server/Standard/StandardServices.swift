import YibaoRPC

/// Health and reflection on a router. Register them after the node's own services: reflection lists the
/// services the router serves at that moment (itself and health included).
public enum StandardServices {
    public static func register(in router: inout RPCRouter, health: HealthStatusBoard,
                                reflection registry: ReflectionRegistry = .init()) {
        HealthService(board: health).register(in: &router)
        var services = Set(router.paths.compactMap(serviceName(ofPath:)))
        services.formUnion(ReflectionService.serviceNames)
        ReflectionService(registry: registry, services: Array(services)).register(in: &router)
    }

    /// "/pkg.Service/Method" -> "pkg.Service".
    static func serviceName(ofPath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[1]) : nil
    }
}
