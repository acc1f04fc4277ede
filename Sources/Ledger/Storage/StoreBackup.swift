import Foundation
import YibaoCrypto

/// A consistent online copy of a data folder's two LMDB stores: the ledger (`data.mdb`) and then the audit trail
/// (`audit/data.mdb`), each one read transaction's snapshot (`LMDBEnvironment.copy(toFolder:)`). The source is
/// opened read-only beside a running node (LMDB allows readers in other processes; the node's `node.lock` is
/// not taken). The two snapshots are taken one after the other, the ledger first: every audit event the ledger
/// copy anchors was durable before its anchor was written, so the later audit copy holds it,
/// which the copy checks (`Copied.auditDivergence`).
/// docs/node-and-cli.md "Backup and restore" describes the copy.
public enum StoreBackup {
    /// What the two copies hold, read back from the copies themselves.
    public struct Copied: Sendable {
        /// Entries in the ledger copy.
        public var treeSize: UInt64 = 0
        /// The newest signed tree head stored in the copy (it may trail `treeSize` by the entries not yet signed).
        public var newestSignedHead: SignedTreeHead?
        /// The audit trail head the ledger copy anchors last; nil before the first anchor.
        public var anchoredAudit: AuditAnchor?
        /// The audit copy's own head (at or after `anchoredAudit`); nil when the trail is empty or absent.
        public var auditHead: AuditAnchor?
        /// Events in the audit copy, its chain recomputed from the first.
        public var auditEvents = 0
        /// Why the audit copy does not hold what the ledger copy anchors (or its chain does not check out); nil when it does.
        public var auditDivergence: String?
        /// Bytes of the ledger copy's pages in use.
        public var ledgerBytes = 0
    }

    /// Copies `source`'s stores into `destination`, which must exist and hold no store yet, and reads back what
    /// the copies hold. Throws `LMDBError` naming the store's path and LMDB's reason.
    public static func copy(from source: String, to destination: String) throws -> Copied {
        var copied = Copied()
        try copyStore(from: source, to: destination)
        let sourceAudit = source + "/" + AuditTrail.directoryName
        let destinationAudit = destination + "/" + AuditTrail.directoryName
        let hasAudit = FileManager.default.fileExists(atPath: sourceAudit + "/data.mdb")
        if hasAudit {
            try FileManager.default.createDirectory(atPath: destinationAudit, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            try copyStore(from: sourceAudit, to: destinationAudit)
        }

        let ledger = try openReadOnly(destination)
        defer { ledger.close() }
        let schema = try LedgerSchema(ledger, stateDatabases: [])
        try ledger.read { txn in
            if let last = try txn.last(schema.entries), let index = U64Key.decode(last.key) { copied.treeSize = index + 1 }
            if let head = try txn.last(schema.heads) { copied.newestSignedHead = try SignedTreeHead(decoding: head.value) }
            copied.anchoredAudit = try schema.metaBytes(.auditAnchor, in: txn).map { bytes in
                try bytes.withUnsafeBytes { try AuditAnchor(decoding: $0) }
            }
        }
        copied.ledgerBytes = ledger.usedBytes()
        if hasAudit {
            // The copy's own trail (never the source's: that one belongs to the running node).
            let trail = try AuditTrail(dataDirectory: destination)
            defer { trail.shutdown() }
            copied.auditHead = try trail.head()
            let verification = try trail.verify(anchor: copied.anchoredAudit)
            copied.auditEvents = verification.events
            copied.auditDivergence = verification.firstDivergence.map { "audit event \($0.sequence): \($0.reason)" }
        } else if let anchor = copied.anchoredAudit {
            copied.auditDivergence = "the ledger anchors audit event \(anchor.sequence) but \(sourceAudit) holds no audit trail"
        }
        return copied
    }

    private static func openReadOnly(_ folder: String) throws -> LMDBEnvironment {
        var options = LMDBEnvironment.Options()
        options.readOnly = true
        return try LMDBEnvironment(path: folder, options: options)
    }

    private static func copyStore(from source: String, to destination: String) throws {
        let env = try openReadOnly(source)
        defer { env.close() }
        try env.copy(toFolder: destination)
    }
}
