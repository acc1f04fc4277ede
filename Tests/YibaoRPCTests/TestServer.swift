import NIOPosix
import YibaoRPC

/// Handler threads of the tests' own: other test suites in this process block the global executor's threads
/// (child processes, synchronous waits), which must not stall the calls under test.
let testHandlerExecutor = EventLoopGroupTaskExecutor(group: MultiThreadedEventLoopGroup(numberOfThreads: 2))

/// Defaults for servers under test: a free loopback port and the tests' handler executor.
func testConfiguration() -> RPCServerConfiguration {
    var configuration = RPCServerConfiguration()
    configuration.port = 0
    configuration.handlerExecutor = testHandlerExecutor
    return configuration
}

/// Starts an echo server on a free loopback port for the duration of `body`, then shuts it down.
func withEchoServer<T>(configure: (inout RPCServerConfiguration) -> Void = { _ in },
                       _ body: (RPCServer, CallProbe) async throws -> T) async throws -> T {
    var configuration = testConfiguration()
    configuration.shutdownGracePeriod = .seconds(5)
    configure(&configuration)
    let probe = CallProbe()
    let server = try await RPCServer.start(router: EchoService.router(probe: probe), configuration: configuration)
    do {
        let result = try await body(server, probe)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Waits (bounded) for a condition that another thread makes true.
func eventually(_ limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + limit
    while clock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
