import Foundation
import Testing
import YibaoProto
import YibaoRPC
import YibaoServer
import YibaoTestSupport

/// Hostile peers against the built `yibao-server` (a child process, so its RSS is the node's alone), driven by
/// the raw HTTP/2 peers of Tests/Interop/hostile_peer.py; a well-behaved client calls meanwhile.
@Suite("End to end: hostile peers", .serialized)
struct HostilePeerTests {
    /// A development node's client naming `org` (no signature: `--dev`).
    static func client(port: String, org: EndToEndNode.Org) throws -> EndToEndNode.Client {
        var configuration = RPCClientConfiguration(host: "127.0.0.1", port: Int(port)!)
        configuration.maxAttempts = 1
        configuration.callAuthenticator = { _, _ in
            var metadata = GRPCMetadata()
            metadata.add(CallAuthenticator.orgKey, org.rawValue)
            return metadata
        }
        return EndToEndNode.Client(try RPCClient(configuration: configuration))
    }

    /// Resident memory of a process, from /proc (Linux).
    static func residentMiB(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kib / 1024
    }

    /// Tree-head reads from a fresh connection, each with a 3 s deadline (the whole test suite may be running on
    /// the same cores): how many succeeded, which failed, and the slowest.
    static func probe(port: String, calls: Int) async throws -> (ok: Int, failed: [String], slowest: Duration) {
        let client = try client(port: port, org: .hospital)
        var ok = 0, failed: [String] = []
        let clock = ContinuousClock()
        var slowest = Duration.zero
        for call in 0..<calls {
            let start = clock.now
            do {
                _ = try await client.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest(), options: RPCCallOptions(timeout: .seconds(3)))
                ok += 1
            } catch {
                failed.append("call \(call) after \(clock.now - start): \(error)")
            }
            slowest = max(slowest, clock.now - start)
            try await Task.sleep(for: .milliseconds(100))
        }
        await client.close()
        return (ok, failed, slowest)
    }

    @Test("StreamEntries callers that never read hold bounded memory and delay no one")
    func stalledStreamReaders() async throws {
        guard InteropPython.isAvailable() else { return }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-hostile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await NodeProcess.withRunning(["--data", data, "--listen", "127.0.0.1:0", "--durability", "none", "--dev"]) { node, port in
            // 4,000 entries (~1 KiB each): each of the attacker's streams could queue its whole 512 KiB watermark.
            let platform = try Self.client(port: port, org: .platform)
            for batch in 0..<40 {
                let invoices = (0..<100).map { Records.blueInvoice(String(format: "%010d", 2_000_000 + batch * 100 + $0)) }
                let results = try await platform.invoices.issueInvoices(Records.issue("hostile-\(batch)", invoices)).results
                #expect(Records.codes(results).allSatisfy { $0 == 0 }, "batch \(batch)")
            }
            await platform.close()
            let before = Self.residentMiB(node.pid)
            var peak = before
            let probe = try await HostilePeer.with([port, "stall", "4", "100", Yibao_V1_LedgerServicePaths.streamEntries,
                                                    EndToEndNode.Org.auditor.rawValue]) { _ in
                // The attack's start costs a bounded burst (each stream's first chunk, the connections' buffers);
                // from then on the stalled streams must cost nothing. (Before the bounds they went on producing:
                // 512 KiB per stream, and the tree-head reads failed for seconds.)
                for _ in 0..<20 {
                    peak = max(peak, Self.residentMiB(node.pid))
                    try await Task.sleep(for: .milliseconds(100))
                }
                async let calls = Self.probe(port: port, calls: 60)
                for _ in 0..<80 {
                    peak = max(peak, Self.residentMiB(node.pid))
                    try await Task.sleep(for: .milliseconds(100))
                }
                return try await calls
            }
            try await Task.sleep(for: .seconds(2))  // the node sees the peer's connections close
            let after = Self.residentMiB(node.pid)
            print("stalled readers: RSS \(before) MiB before, \(peak) MiB peak, \(after) MiB after; "
                  + "GetTreeHead \(probe.ok) OK, \(probe.failed.count) failed, slowest \(probe.slowest)")
            // 400 stalled streams at 512 KiB each would be 200 MiB; the connection bound (2 MiB) holds 8 MiB,
            // each stalled stream its handler and one chunk of entries.
            #expect(peak - before < 48, "RSS grew from \(before) to \(peak) MiB")
            #expect(after - before < 32, "RSS was \(after) MiB after the peer left, from \(before) MiB")
            #expect(probe.failed.isEmpty, "\(probe.failed.count) of 60 tree-head reads failed: \(probe.failed.prefix(3))")
        }
    }
}
