import NIOCore
import NIOPosix
import Testing
import YibaoRPC

/// `RPCHandlerPlacement`: a method placed on the connection loop runs its handler on the call's own connection
/// event loop; every other method runs on the configured handler executor, in the same server at the same time.
@Suite("Handler placement per method")
struct HandlerPlacementTests {
    /// Where a handler found itself: 0 on no event loop, 1 on the handler group, 2 on another loop (the connection's).
    private static func whereAmI(handlerGroup: MultiThreadedEventLoopGroup) -> UInt8 {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return 0 }
        return handlerGroup.makeIterator().contains { $0 === loop } ? 1 : 2
    }

    @Test func placedMethodsRunOnTheConnectionLoopTheRestOnTheHandlerExecutor() async throws {
        let handlerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var router = RPCRouter()
        for name in ["Placed", "Moved", "Default"] {
            router.register("/test.Placement/\(name)", .unary { _, _ in
                ByteBuffer(bytes: [Self.whereAmI(handlerGroup: handlerGroup)])
            }, placement: name == "Placed" ? .connectionLoop : .handlerExecutor)
        }
        router.place(["/test.Placement/Moved"], on: .connectionLoop)
        #expect(router.route(for: "/test.Placement/Default")?.placement == .handlerExecutor)
        #expect(router.route(for: "/test.Placement/Moved")?.placement == .connectionLoop)

        var configuration = testConfiguration()
        configuration.handlerExecutor = EventLoopGroupTaskExecutor(group: handlerGroup)
        let server = try await RPCServer.start(router: router, configuration: configuration)
        let client = try RPCClient(configuration: RPCClientConfiguration(port: server.port))
        do {
            // Many concurrent calls of each, so a placement that held only by chance would show.
            let answers = try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
                for index in 0..<150 {
                    let name = ["Placed", "Moved", "Default"][index % 3]
                    group.addTask { (name, try await client.unary(path: "/test.Placement/\(name)", request: []).message) }
                }
                return try await group.reduce(into: [String: Set<[UInt8]>]()) { $0[$1.0, default: []].insert($1.1) }
            }
            #expect(answers["Placed"] == [[2]])
            #expect(answers["Moved"] == [[2]])
            #expect(answers["Default"] == [[1]])
        } catch {
            await client.close()
            await server.shutdown()
            try await handlerGroup.shutdownGracefully()
            throw error
        }
        await client.close()
        await server.shutdown()
        try await handlerGroup.shutdownGracefully()
    }
}
