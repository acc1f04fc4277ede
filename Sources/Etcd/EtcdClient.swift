import Synchronization
import YibaoClient
import YibaoProto
import YibaoRPC

/// A typed client of etcd's v3 API over several members. Each call goes to the member that answered last; when
/// that one is down the call moves on to the next (docs/etcd-client.md, "Failover"). Writes move on only when
/// etcd provably did not apply them; otherwise they fail `EtcdError.outcomeUnknown`.
public final class EtcdClient: Sendable {
    public let configuration: EtcdClientConfiguration
    /// One RPC client per endpoint, in `configuration.endpoints` order; each connects on its first call.
    let members: [RPCClient]
    /// The endpoint calls start at: the last one that answered.
    private let preferred = Atomic<Int>(0)

    public init(configuration: EtcdClientConfiguration) throws {
        self.configuration = configuration
        members = try configuration.endpoints.map { endpoint in
            var rpc = RPCClientConfiguration(host: endpoint.host, port: endpoint.port)
            let connect = configuration.connectTimeout.components
            rpc.connectTimeout = .nanoseconds(connect.seconds * 1_000_000_000 + connect.attoseconds / 1_000_000_000)
            // A member that is down fails at once, so that the call moves on instead of waiting for a reconnect.
            rpc.failFastWhenDisconnected = true
            // Retries are this client's: across endpoints, by what etcd may have applied.
            rpc.maxAttempts = 1
            rpc.maxReceiveMessageSize = configuration.maxResponseBytes
            return try RPCClient(configuration: rpc)
        }
    }

    /// Closes every member's connection (in-flight calls get the RPC client's grace period).
    public func close() async {
        for member in members { await member.close() }
    }

    /// Whether a call may be repeated at another member after an ambiguous failure.
    enum Effect {
        /// Reads, keep-alives: repeating them changes nothing.
        case read
        /// Everything that changes etcd's state.
        case write
    }

    /// One try of a call: the member's RPC client, which endpoint that is, the call's options (its timeout).
    struct Attempt {
        let rpc: RPCClient
        let endpoint: EtcdEndpoint
        let options: RPCCallOptions
    }

    /// Runs `body` against the preferred member, then the next ones, until one answers or the failure rules out
    /// another attempt (`EtcdFailure`). At most `maxAttempts` attempts, a pause after each full round.
    func withFailover<R: Sendable>(_ effect: Effect, _ body: (Attempt) async throws -> R)
        async throws(EtcdError) -> R {
        let count = members.count
        let start = preferred.load(ordering: .relaxed)
        var failures: [String] = []
        for attempt in 0..<max(configuration.maxAttempts, 1) {
            if attempt > 0 && attempt % count == 0 {
                do { try await Task.sleep(for: configuration.roundBackoff) } catch {
                    throw .rpc(GRPCStatus(.cancelled, "call cancelled"))
                }
            }
            let index = (start + attempt) % count
            do {
                let result = try await body(Attempt(rpc: members[index], endpoint: configuration.endpoints[index],
                                                    options: RPCCallOptions(timeout: configuration.requestTimeout)))
                preferred.store(index, ordering: .relaxed)
                return result
            } catch let error as EtcdError {
                throw error
            } catch let status as GRPCStatus {
                let failure = EtcdFailure(status: status, endpoint: configuration.endpoints[index])
                switch failure.kind {
                case .final(let error): throw error
                case .notApplied: failures.append(failure.message)
                case .ambiguous:
                    if effect == .write { throw .outcomeUnknown(failure.message) }
                    failures.append(failure.message)
                }
            } catch is CancellationError {
                throw .rpc(GRPCStatus(.cancelled, "call cancelled"))
            } catch {
                throw .rpc(GRPCStatus(.unknown, "\(error)"))
            }
            if Task.isCancelled { throw .rpc(GRPCStatus(.cancelled, "call cancelled")) }
        }
        throw .unavailable(failures.suffix(count).joined(separator: "; "))
    }

    /// Refuses a request over `maxRequestBytes` before it is sent (etcd would refuse it after).
    func checkSize(_ request: some ProtoMessage, _ what: String) throws(EtcdError) {
        let size = request.encoded().count
        guard size <= configuration.maxRequestBytes else {
            throw .requestTooLarge("\(what) of \(size) bytes is over the \(configuration.maxRequestBytes)-byte limit")
        }
    }
}
