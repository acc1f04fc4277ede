import Foundation
import Synchronization
import Testing
import YibaoCrypto
import YibaoProto
import YibaoServer
import YibaoTestSupport

/// `yibao backup` (a separate process, as an operator runs it) against a real node on loopback that keeps
/// writing: the copy verifies, holds every write acknowledged before the backup started, and a node started on
/// it with its keys serves and takes writes. docs/node-and-cli.md "Backup and restore".
@Suite("End to end: backup of a running node", .serialized)
struct BackupTests {
    /// Invoices acknowledged by the load, with the ledger index of each receipt, in order.
    final class Acknowledged: Sendable {
        let invoices = Mutex<[(invoice: Yibao_V1_Invoice, index: UInt64)]>([])
        let stop = Atomic<Bool>(false)
    }

    @Test func aBackupUnderWriteLoadVerifiesAndARestoredNodeServesAndWrites() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        let data = fixture.dataDirectory
        let copy = fixture.node.root + "/backup"
        // The node key as yibao-server keeps it in its folder, so that the backup has one to carry.
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try PrivateKeyFile.write(fixture.nodeKey, to: data + "/node-key.pem")

        let (copiedSize, before) = try await fixture.withRunning(adjust: {
            $0.durable = true
            $0.auditAnchorInterval = .milliseconds(20)
        }) { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            let hospital = try fixture.client(port: node.port, as: .hospital)
            // Reads leave audit events; wait until the ledger anchors one, so that the copy's anchor is checked.
            let first = Records.blueInvoice("0000000001")
            let firstReceipt = try #require(Records.receipts(try await platform.invoices.issueInvoices(Records.issue("backup-first", [first])).results).first)
            _ = try await hospital.invoices.getInvoice(Records.getInvoice(first))
            let clock = ContinuousClock()
            let anchorDeadline = clock.now + .seconds(60)
            while try node.ledger.latestAuditAnchor() == nil && clock.now < anchorDeadline { try await Task.sleep(for: .milliseconds(10)) }
            try #require(try node.ledger.latestAuditAnchor() != nil, "the node never anchored its audit trail")

            let acknowledged = Acknowledged()
            let load = Task {
                var number = 2
                while !acknowledged.stop.load(ordering: .relaxed) && number < 100_000 {
                    let invoice = Records.blueInvoice(String(format: "%010d", number))
                    let results = try await platform.invoices.issueInvoices(Records.issue("backup-load-\(number)", [invoice])).results
                    let receipt = try #require(Records.receipts(results).first, "a load write was refused: \(results)")
                    acknowledged.invoices.withLock { $0.append((invoice, receipt.ledgerIndex)) }
                    _ = try await hospital.invoices.getInvoice(Records.getInvoice(invoice))
                    number += 1
                }
            }
            let loadDeadline = clock.now + .seconds(60)
            while acknowledged.invoices.withLock({ $0.count }) < 50 && clock.now < loadDeadline { try await Task.sleep(for: .milliseconds(5)) }
            var before = acknowledged.invoices.withLock { $0 }
            before.append((invoice: first, index: firstReceipt.ledgerIndex))
            try #require(before.count > 50, "the load did not get going")

            let backup = try await Binaries.run("yibao", ["backup", "--data", data, "--out", copy, "--include-keys", "--json"])
            let during = acknowledged.invoices.withLock { $0.count } + 1
            acknowledged.stop.store(true, ordering: .relaxed)
            try await load.value
            await platform.close()
            await hospital.close()
            try #require(backup.status == 0, "\(backup)")
            #expect(during > before.count, "the load kept writing while the backup ran")

            let manifestText = try String(contentsOfFile: copy + "/backup-manifest.json", encoding: .utf8)
            #expect(backup.stdout.trimmingCharacters(in: .newlines) == manifestText.trimmingCharacters(in: .newlines),
                    "the command prints the manifest it writes")
            let written = try #require(try JSONSerialization.jsonObject(with: Data(manifestText.utf8)) as? [String: Any])
            let ledger = try #require(written["ledger"] as? [String: Any])
            let treeSize = try #require((ledger["tree_size"] as? NSNumber)?.uint64Value)
            // Every write acknowledged before the backup started lies inside the copied tree.
            let highest = before.map(\.index).max()!
            #expect(treeSize > highest, "tree size \(treeSize), a write acknowledged before the backup at index \(highest)")
            #expect(written["source"] as? String == URL(fileURLWithPath: data).standardizedFileURL.path)
            #expect(written["keys_included"] as? Bool == true)
            let anchored = try #require(ledger["anchored_audit"] as? [String: Any], "\(ledger)")
            let audit = try #require(written["audit"] as? [String: Any])
            let auditHead = try #require(audit["head"] as? [String: Any])
            #expect((auditHead["sequence"] as! NSNumber).uint64Value >= (anchored["sequence"] as! NSNumber).uint64Value,
                    "the audit copy is taken after the ledger copy: it holds the anchored event")
            let signed = try #require(ledger["newest_signed_head"] as? [String: Any])
            #expect((signed["tree_size"] as! NSNumber).uint64Value <= treeSize)
            return (treeSize, before.map(\.invoice))
        }

        let verified = try await Binaries.run("yibao", ["verify", "--data", copy])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("OK:"), "\(verified)")
        for secret in ["node-key.pem", "data-key", "data.mdb"] {
            var info = stat()
            #expect(stat(copy + "/" + secret, &info) == 0 && info.st_mode & 0o077 == 0, "\(secret) is owner-only")
        }

        // Restore: a node on the copy, with the node key the copy carries.
        var configuration = fixture.node.configuration()
        configuration.dataDirectory = copy
        configuration.nodeKey = try PrivateKeyFile.load(copy + "/node-key.pem")
        let restored = try await LedgerNode.start(configuration)
        do {
            let platform = try fixture.client(port: restored.port, as: .platform)
            let hospital = try fixture.client(port: restored.port, as: .hospital)
            let head = try await platform.ledger.getTreeHead(Yibao_V1_GetTreeHeadRequest())
            #expect(try #require(head.head).treeSize >= copiedSize, "the restored node's head against the manifest's size")
            for invoice in before {
                let stored = try await hospital.invoices.getInvoice(Records.getInvoice(invoice))
                #expect(stored.invoice?.invoiceNumber == invoice.invoiceNumber)
            }
            let after = Records.blueInvoice("0999999999")
            #expect(Records.codes(try await platform.invoices.issueInvoices(Records.issue("backup-after-restore", [after])).results) == [0])
            await platform.close()
            await hospital.close()
        } catch {
            await restored.shutdown()
            throw error
        }
        await restored.shutdown()
    }

    @Test func aBackupWithoutKeysHasNoneAndAFolderInUseIsRefused() async throws {
        let fixture = try EndToEndNode()
        defer { fixture.remove() }
        try await fixture.withRunning { node in
            let platform = try fixture.client(port: node.port, as: .platform)
            #expect(Records.codes(try await platform.invoices.issueInvoices(Records.issue("nokeys", [Records.blueInvoice("0000000001")])).results) == [0])
            await platform.close()
        }
        let data = fixture.dataDirectory
        try PrivateKeyFile.write(fixture.nodeKey, to: data + "/node-key.pem")
        try fixture.nodeKey.publicKey.pemRepresentation.write(toFile: data + "/node-public-key.pem", atomically: true, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: data + "/data-key"), "the store is sealed with a data key")

        let copy = fixture.node.root + "/no-keys"
        let backup = try await Binaries.run("yibao", ["backup", "--data", data, "--out", copy])
        #expect(backup.status == 0 && backup.stdout.contains("keys_included: false"), "\(backup)")
        let files = try FileManager.default.contentsOfDirectory(atPath: copy).sorted()
        #expect(files == ["audit", "backup-manifest.json", "data.mdb", "lock.mdb", "node-public-key.pem", "node.lock"], "\(files)")

        // A folder that holds anything is refused, and left as it was.
        let busy = fixture.node.root + "/busy"
        try FileManager.default.createDirectory(atPath: busy, withIntermediateDirectories: true)
        try "notes".write(toFile: busy + "/notes.txt", atomically: true, encoding: .utf8)
        let refused = try await Binaries.run("yibao", ["backup", "--data", data, "--out", busy])
        #expect(refused.status == 1 && refused.stderr.contains("\(busy) is not empty"), "\(refused)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: busy) == ["notes.txt"])
        let again = try await Binaries.run("yibao", ["backup", "--data", data, "--out", copy])
        #expect(again.status == 1 && again.stderr.contains("is not empty"), "\(again)")
        let noStore = try await Binaries.run("yibao", ["backup", "--data", busy, "--out", fixture.node.root + "/x"])
        #expect(noStore.status == 2 && noStore.stderr.contains("holds no ledger"), "\(noStore)")
    }
}
