import Foundation
import Testing
import YibaoEtcd
import YibaoTestSupport

/// A client of `cluster`'s members (in member order), closed when `body` ends.
func withClient<Result>(_ cluster: EtcdCluster, extraEndpoints: [EtcdEndpoint] = [],
                        _ configure: (inout EtcdClientConfiguration) -> Void = { _ in },
                        _ body: (EtcdClient) async throws -> Result) async throws -> Result {
    var configuration = EtcdClientConfiguration(
        endpoints: extraEndpoints + cluster.clientPorts.map { EtcdEndpoint(port: $0) })
    // Must-complete guards, not measurements: the whole suite runs at once on a small machine, where a loopback
    // connection can wait seconds for a thread.
    configuration.requestTimeout = .seconds(30)
    configuration.connectTimeout = .seconds(10)
    configure(&configuration)
    let client = try EtcdClient(configuration: configuration)
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

/// UTF-8 bytes of a key or value.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

struct MustCompleteTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "\(what) did not complete within the guard" }
}

/// Runs `body`, failing if it has not finished after `seconds`: a guard against a hang (an event that never
/// comes), never a measurement.
func mustComplete<Result: Sendable>(_ what: String, within seconds: Int = 180,
                                    _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        let first = try await group.next()!
        guard let result = first else { throw MustCompleteTimeout(what: what) }
        return result
    }
}
