import Foundation
import Testing
import YibaoTestSupport

/// The README quickstart with the built binaries: `yibao-server` on a fresh folder (first start: node key, data
/// key, development orgs), the `yibao` CLI through every quickstart step with its exit codes and output, the
/// refusals (second node, verify while running, a tampered proof), SIGTERM, and the offline verify after.
@Suite("End to end: the CLI quickstart with the built binaries", .serialized)
struct CLIQuickstartTests {
    @Test("quickstart: issue, upload, reconcile, lock, enter, enter again (refused), trace, prove; exit codes")
    func quickstart() async throws {
        let server = Binaries.path("yibao-server"), yibao = Binaries.path("yibao")
        try #require(FileManager.default.isExecutableFile(atPath: server), "build the yibao-server product first: \(server)")
        try #require(FileManager.default.isExecutableFile(atPath: yibao), "build the yibao product first: \(yibao)")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let data = work + "/yibao-data", examples = Binaries.examples

        // First start on an empty folder.
        try await NodeProcess.withRunning(["--data", data, "--listen", "127.0.0.1:0", "--durability", "none"],
                                          directory: work) { node, listening in
            #expect(node.stdout.contains("DEVELOPMENT ORG REGISTRY"), "\(node.stdout)")
            #expect(node.stdout.contains("YIBAO_SERVER=127.0.0.1:\(listening)"))
            #expect(try String(contentsOfFile: data + "/dev-orgs/README.txt", encoding: .utf8).contains("DEVELOPMENT ONLY"))
            for file in ["node-key.pem", "data-key", "dev-orgs/H46010600001.pem", "dev-orgs/B4601.pem"] {
                let mode = try FileManager.default.attributesOfItem(atPath: data + "/" + file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(file) mode \(String(mode ?? 0, radix: 8))")
            }

            // A second node on the same folder is refused with a message that says what to do.
            let second = try await Binaries.run("yibao-server", ["--data", data, "--listen", "127.0.0.1:0"], directory: work)
            #expect(second.status == 1 && second.stderr.contains("another node is already running on the data folder"), "\(second)")
            let samePort = try await Binaries.run("yibao-server", ["--data", work + "/other-data", "--listen", "127.0.0.1:\(listening)"], directory: work)
            #expect(samePort.status == 1 && samePort.stderr.contains("another process is listening there"), "\(samePort)")
            // A data folder that cannot be made: the reason in a sentence, not Foundation's error dump.
            let blocked = try await Binaries.run("yibao-server", ["--data", data + "/node-key.pem/sub", "--listen", "127.0.0.1:0"],
                                                 directory: work)
            #expect(blocked.status == 1 && blocked.stderr.contains("cannot prepare the data folder \(data)/node-key.pem/sub: ")
                    && !blocked.stderr.contains("NSCocoaErrorDomain"), "\(blocked)")
            let busy = try await Binaries.run("yibao", ["verify", "--data", data])
            #expect(busy.status == 1 && busy.stderr.contains("a node is running on"), "\(busy)")
            let busyRebuild = try await Binaries.run("yibao", ["rebuild-state", "--data", data])
            #expect(busyRebuild.status == 1 && busyRebuild.stderr.contains("a node is running on"), "\(busyRebuild)")

            let environment = ["YIBAO_SERVER": "127.0.0.1:\(listening)", "YIBAO_KEYS": data + "/dev-orgs"]
            func cli(_ arguments: String...) async throws -> ChildOutput {
                try await Binaries.run("yibao", arguments, environment: environment, directory: work)
            }

            let issued = try await cli("invoice", "issue", "--org", "F46000000001", "\(examples)/issue-invoices.json", "--json")
            #expect(issued.status == 0, "\(issued)")
            let receipt = try #require(Self.firstReceipt(issued.stdout), "\(issued)")
            let uploaded = try await cli("settlement", "upload", "--org", "H46010600001", "\(examples)/upload-settlements.json")
            #expect(uploaded.status == 0 && uploaded.stdout.contains("receipt.tx_hash"), "\(uploaded)")
            let reconciled = try await cli("settlement", "reconcile", "--org", "B4601", "\(examples)/reconcile-pair.json")
            #expect(reconciled.status == 0 && reconciled.stdout.contains("consistent:") && reconciled.stdout.contains("yes"), "\(reconciled)")
            let locked = try await cli("invoice", "lock", "--org", "B4601", "\(examples)/lock-invoice.json")
            #expect(locked.status == 0, "\(locked)")
            let entered = try await cli("invoice", "enter", "--org", "B4601", "\(examples)/record-entry.json")
            #expect(entered.status == 0, "\(entered)")
            let again = try await cli("invoice", "enter", "--org", "B4601", "\(examples)/record-entry-again.json")
            #expect(again.status == 1 && again.stderr.contains("FAILED_PRECONDITION") && again.stderr.contains("ENTERED by org B4601"), "\(again)")
            let got = try await cli("invoice", "get", "--org", "H46010600001", "\(examples)/get-invoice.json")
            #expect(got.status == 0 && got.stdout.contains("ENTERED by org B4601"), "\(got)")
            let traced = try await cli("invoice", "trace", "--org", "H46010600001", "\(examples)/trace-invoice.json")
            #expect(traced.status == 0, "\(traced)")
            for kind in ["invoice_issued", "settlement_uploaded", "invoice_locked", "invoice_entered"] {
                #expect(traced.stdout.contains(kind), "trace lacks \(kind)")
            }

            // Prove it: the proof JSON, checked offline against the node key the node wrote.
            let proof = try await cli("ledger", "inclusion-proof", "--org", "A46000000001", "--body", "{\"ledger_index\": \(receipt.index)}", "--json")
            #expect(proof.status == 0, "\(proof)")
            try proof.stdout.write(toFile: work + "/proof.json", atomically: true, encoding: .utf8)
            let verified = try await cli("proof", "verify", work + "/proof.json", "--node-key", data + "/node-public-key.pem", "--tx-hash", receipt.txHashHex)
            #expect(verified.status == 0 && verified.stdout.hasPrefix("OK: entry \(receipt.index)"), "\(verified)")
            let tampered = try Self.tamper(proof.stdout)
            try tampered.write(toFile: work + "/tampered.json", atomically: true, encoding: .utf8)
            let refused = try await cli("proof", "verify", work + "/tampered.json", "--node-key", data + "/node-public-key.pem")
            #expect(refused.status == 3 && refused.stderr.contains("audit path does not lead"), "\(refused)")
            let otherKey = try await cli("keys", "generate", "--out", work + "/other.pem")
            #expect(otherKey.status == 0 && otherKey.stdout.contains("BEGIN PUBLIC KEY"), "\(otherKey)")
            let wrongKey = try await cli("proof", "verify", work + "/proof.json", "--node-key", work + "/other.pem")
            #expect(wrongKey.status == 3 && wrongKey.stderr.contains("signature does not verify"), "\(wrongKey)")

            // The two streams: a feed given as JSON Lines (one record refused: exit 5), and the entry stream.
            let settlement = try String(contentsOfFile: "\(examples)/upload-settlements.json", encoding: .utf8)
            let upload = try #require(try JSONSerialization.jsonObject(with: Data(settlement.utf8)) as? [String: Any])
            var feedSettlement = try #require((upload["settlements"] as? [[String: Any]])?.first)
            feedSettlement["setl_id"] = "S460106202403019999"
            var refusedSettlement = feedSettlement
            refusedSettlement["setl_id"] = "S460106202403019998"
            refusedSettlement["psn_part_amt"] = 1
            let lines = try [["request_id": "feed-a", "settlements": [feedSettlement]],
                             ["request_id": "feed-b", "settlements": [refusedSettlement]]]
                .map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            try lines.joined(separator: "\n").write(toFile: work + "/feed.jsonl", atomically: true, encoding: .utf8)
            let fed = try await cli("settlement", "feed", "--org", "H46010600001", work + "/feed.jsonl", "--json")
            let answers = fed.stdout.split(separator: "\n")
            #expect(fed.status == 5 && answers.count == 2 && answers[0].contains("\"request_id\":\"feed-a\"")
                    && answers[1].contains("\"code\":3"), "\(fed)")
            let streamed = try await cli("ledger", "stream", "--org", "A46000000001", "--from", "0", "--limit", "3", "--json")
            let entries = streamed.stdout.split(separator: "\n")
            #expect(streamed.status == 0 && entries.count == 3 && entries[0].contains("\"kind_name\":\"genesis\""), "\(streamed)")

            // Usage errors are 2 and name the field; an unreachable node is 4.
            let badField = try await cli("invoice", "get", "--org", "H46010600001", "--body", "{\"invoice_kode\": \"x\"}")
            #expect(badField.status == 2 && badField.stderr.contains("no field 'invoice_kode'"), "\(badField)")
            let badType = try await cli("invoice", "issue", "--org", "F46000000001", "--body", "{\"request_id\": \"x\", \"invoices\": [{\"total_amount\": 1.5}]}")
            #expect(badType.status == 2 && badType.stderr.contains("invoices[0].total_amount"), "\(badType)")
            let unreachable = try await Binaries.run("yibao", ["ledger", "tree-head", "--server", "127.0.0.1:1", "--org", "A46000000001",
                                                           "--keys", data + "/dev-orgs", "--body", "{}"])
            #expect(unreachable.status == 4, "\(unreachable)")

            // SIGTERM: graceful shutdown, exit 0; then the store verifies offline.
            let status = await node.stop(signal: SIGTERM, grace: .seconds(60))
            let log = node.stderr
            #expect(status == 0, "\(log)")
            #expect(log.contains("msg=\"shutdown requested\"") && log.contains("signal=SIGTERM") && log.contains("msg=\"node stopped\""), "\(log)")
        }
        let offline = try await Binaries.run("yibao", ["verify", "--data", data])
        #expect(offline.status == 0 && offline.stdout.hasPrefix("OK:"), "\(offline)")
        // The state rebuilt from the entries (what an upgrade from an older state format runs) verifies again.
        let rebuilt = try await Binaries.run("yibao", ["rebuild-state", "--data", data])
        #expect(rebuilt.status == 0 && rebuilt.stdout.contains("rebuilt the state from")
                && rebuilt.stdout.contains("(format 2 -> format 2)"), "\(rebuilt)")
        let reverified = try await Binaries.run("yibao", ["verify", "--data", data])
        #expect(reverified.status == 0 && reverified.stdout == offline.stdout, "\(reverified)")
    }

    /// The first receipt of an `invoice issue --json` answer.
    static func firstReceipt(_ json: String) -> (index: UInt64, txHashHex: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let results = object["results"] as? [[String: Any]], let receipt = results.first?["receipt"] as? [String: Any],
              let index = (receipt["ledger_index"] as? NSNumber)?.uint64Value, let hash = receipt["tx_hash"] as? String,
              let bytes = Data(base64Encoded: hash) else { return nil }
        return (index, bytes.map { String(format: "%02x", $0) }.joined())
    }

    /// The proof with one bit of its first audit-path hash flipped.
    static func tamper(_ json: String) throws -> String {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var path = try #require(object["path"] as? [String])
        let encoded = try #require(path.first)
        var first = [UInt8](try #require(Data(base64Encoded: encoded)))
        first[0] ^= 1
        path[0] = Data(first).base64EncodedString()
        object["path"] = path
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}
