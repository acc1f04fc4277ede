import Foundation

/// 1 or 3 stock etcd members (Debian's etcd-server, /usr/bin/etcd) on free loopback ports, data in a temporary
/// folder, for tests of the etcd client. `withRunning` waits until every member reports healthy (etcdctl
/// endpoint health) and stops them all however the body ends: SIGTERM, then SIGKILL after a grace period.
public final class EtcdCluster: Sendable {
    public struct Member: Sendable {
        public let name: String
        public let clientPort: Int
        public let peerPort: Int
        public let child: RunningChild
    }

    public let members: [Member]
    public var clientPorts: [Int] { members.map(\.clientPort) }
    /// etcd-client's etcdctl, beside etcd: the health check is a stock tool's, not the client under test.
    private let etcdctl: String

    private init(members: [Member], etcdctl: String) {
        self.members = members
        self.etcdctl = etcdctl
    }

    /// SIGKILLs member `index` (a crash, no shutdown) and waits until it has exited.
    public func kill(member index: Int) async {
        await members[index].child.stop(signal: SIGKILL, grace: .seconds(10))
    }

    /// The etcd binary: `etcd` on PATH (Debian installs /usr/bin/etcd).
    public static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin"] {
            let candidate = "\(directory)/etcd"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw EtcdClusterError("no etcd on PATH: install Debian's etcd-server and etcd-client (scripts/bootstrap does)")
    }

    public static func withRunning<Result>(members count: Int,
                                           _ body: (EtcdCluster) async throws -> Result) async throws -> Result {
        precondition(count == 1 || count == 3, "an etcd test cluster has 1 or 3 members")
        let etcd = try executable()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A port taken between choosing and binding makes a member exit at once: start again on new ports.
        var failures: [String] = []
        for attempt in 1...3 {
            let cluster = try await start(etcd, count: count, folder: folder.appendingPathComponent("attempt-\(attempt)"))
            do {
                try await cluster.waitUntilHealthy()
            } catch {
                failures.append("\(error)")
                await cluster.stopAll()
                continue
            }
            do {
                let result = try await body(cluster)
                await cluster.stopAll()
                return result
            } catch {
                await cluster.stopAll()
                throw error
            }
        }
        throw EtcdClusterError("etcd did not start: \(failures.joined(separator: "\n"))")
    }

    private static func start(_ etcd: String, count: Int, folder: URL) async throws -> EtcdCluster {
        // Distinct: the kernel may hand out a port just released again.
        var chosen: [Int] = []
        while chosen.count < 2 * count {
            let port = try LoopbackPort.free()
            if !chosen.contains(port) { chosen.append(port) }
        }
        let ports = (0..<count).map { (client: chosen[2 * $0], peer: chosen[2 * $0 + 1]) }
        let names = (0..<count).map { "m\($0)" }
        let initialCluster = zip(names, ports).map { "\($0)=http://127.0.0.1:\($1.peer)" }.joined(separator: ",")
        let token = "yibao-test-\(UUID().uuidString)"
        var members: [Member] = []
        do {
            for (name, port) in zip(names, ports) {
                let data = folder.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
                let child = try RunningChild(etcd, [
                    "--name", name, "--data-dir", data.path,
                    "--listen-client-urls", "http://127.0.0.1:\(port.client)",
                    "--advertise-client-urls", "http://127.0.0.1:\(port.client)",
                    "--listen-peer-urls", "http://127.0.0.1:\(port.peer)",
                    "--initial-advertise-peer-urls", "http://127.0.0.1:\(port.peer)",
                    "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                    "--initial-cluster-token", token, "--logger", "zap", "--log-level", "warn",
                ], environment: nil, directory: nil)
                members.append(Member(name: name, clientPort: port.client, peerPort: port.peer, child: child))
            }
        } catch {
            for member in members { await member.child.stop(signal: SIGKILL) }
            throw error
        }
        return EtcdCluster(members: members, etcdctl: URL(fileURLWithPath: etcd).deletingLastPathComponent()
            .appendingPathComponent("etcdctl").path)
    }

    /// Until `etcdctl endpoint health` passes for every member (a leader elected, reads served). Generous: a
    /// must-complete guard on a loaded machine, not a measurement.
    private func waitUntilHealthy() async throws {
        let endpoints = clientPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",")
        let clock = ContinuousClock()
        let end = clock.now + .seconds(60)
        var last = ""
        while clock.now < end {
            if let exited = members.first(where: { !$0.child.isRunning }) {
                throw EtcdClusterError("etcd member \(exited.name) exited: \(exited.child.stderr.suffix(2000))")
            }
            let check = try await ChildProcess.run(etcdctl, ["--endpoints", endpoints,
                                                   "--command-timeout", "2s", "endpoint", "health"],
                                                   environment: ["ETCDCTL_API": "3"], timeLimitSeconds: 20)
            if check.status == 0 { return }
            last = check.stderr + check.stdout
            try await Task.sleep(for: .milliseconds(100))
        }
        throw EtcdClusterError("etcd members not healthy: \(last.suffix(2000))")
    }

    private func stopAll() async {
        for member in members { await member.child.stop(signal: SIGTERM, grace: .seconds(10)) }
        for member in members { member.child.removeOutput() }
    }
}

public struct EtcdClusterError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
