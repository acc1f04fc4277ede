import ArgumentParser
import Foundation
import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoProtoJSON

/// `yibao backup --data DIR --out NEWDIR`: a consistent copy of a data folder, while its node runs or not
/// (StoreBackup: the ledger, then the audit trail, each a compacted LMDB snapshot), checked by the offline
/// verifier before its manifest is written. docs/node-and-cli.md "Backup and restore".
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a node's data folder (running or stopped) into a new folder: ledger and audit snapshots, verified, with a manifest.")

    /// The files beside the stores that the node's set-up writes (yibao-server's DataFolderSetup names them).
    static let nodePublicKeyFileName = "node-public-key.pem"
    static let nodeKeyFileName = "node-key.pem"
    static let developmentOrgsFolderName = "dev-orgs"
    static let manifestFileName = "backup-manifest.json"
    /// The folder lock a backup holds on NEWDIR, the file the node's own lock uses.
    static let lockFileName = "node.lock"

    @Option(help: "The node's data folder (a node may be running on it).")
    var data: String
    @Option(help: "A new folder for the copy: must not exist, or be empty.")
    var out: String
    @Flag(help: "Also copy the node key, the data key and dev-orgs/ (mode 600): the backup is then as secret as those keys.")
    var includeKeys = false
    @Flag(help: "Print the manifest as JSON.")
    var json = false

    func run() throws {
        let started = Date()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder), isFolder.boolValue,
              FileManager.default.fileExists(atPath: data + "/data.mdb") else {
            throw CLIFailure(.usage, "\(data) holds no ledger (no data.mdb)")
        }
        let source = URL(fileURLWithPath: data).standardizedFileURL.path
        let dataKey: NodeDataKey?
        do { dataKey = try DataKeyFile.load(directory: data) } catch {
            throw CLIFailure(.failed, "cannot read the data key of \(data): \(error)")
        }
        try createOutputFolder()
        let manifest: JSONValue
        do {
            manifest = try DataFolderLock.whileHeld(directory: out) {
                try refuseExistingContent()
                return try backUp(source: source, dataKey: dataKey, started: started)
            }
        } catch where DataFolderLock.isHeld(error, directory: out) {
            throw CLIFailure(.failed, "another backup is writing into \(out) (it holds \(out)/\(Self.lockFileName))")
        }
        Console.out(json ? JSONWriter.text(manifest) : Self.summary(manifest))
    }

    /// NEWDIR is made here, or must be empty: a backup never mixes with other files or another backup.
    private func createOutputFolder() throws {
        let parent = (out as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw CLIFailure(.failed, "cannot create \(parent): \(error.localizedDescription)")
            }
        }
        guard mkdir(out, 0o700) == 0 else {
            let reason = errno
            guard reason == EEXIST else { throw CLIFailure(.failed, "cannot create \(out): \(String(cString: strerror(reason)))") }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), isFolder.boolValue else {
                throw CLIFailure(.failed, "\(out) exists and is not a folder; give a new or empty folder to --out")
            }
            try refuseExistingContent()
            return
        }
    }

    /// Refuses an `out` that holds anything but (an empty) lock file.
    private func refuseExistingContent() throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: out) } catch {
            throw CLIFailure(.failed, "cannot read \(out): \(error.localizedDescription)")
        }
        let other = names.filter { $0 != Self.lockFileName }.sorted()
        guard other.isEmpty else {
            throw CLIFailure(.failed, "\(out) is not empty (it holds \(other.prefix(3).joined(separator: ", "))"
                             + "\(other.count > 3 ? ", ..." : "")); give a new or empty folder to --out")
        }
    }

    private func backUp(source: String, dataKey: NodeDataKey?, started: Date) throws -> JSONValue {
        let copied: StoreBackup.Copied
        do {
            copied = try StoreBackup.copy(from: data, to: out)
        } catch {
            throw CLIFailure(.failed, "cannot copy the stores of \(data) into \(out): \(error)")
        }
        try copyFile(Self.nodePublicKeyFileName, mode: 0o644, required: false)
        if includeKeys {
            try copyFile(Self.nodeKeyFileName, mode: 0o600, required: true)
            try copyFile(DataKeyFile.fileName, mode: 0o600, required: dataKey != nil)
            try copyDevelopmentOrgs()
        }

        // The copy is checked as `yibao verify` checks a folder, with the source's data key (a copy without keys
        // has none of its own).
        let report: LedgerVerifier.Report
        do {
            report = try LedgerVerifier(directory: out, stateMachine: InvoiceSettlementRules(), dataKey: dataKey).verify()
        } catch {
            throw CLIFailure(.verificationFailed, "cannot verify the copy in \(out): \(error)")
        }
        guard report.isValid else {
            throw CLIFailure(.verificationFailed, "the copy in \(out) does not verify: \(report.firstDivergence.map { "\($0)" } ?? "no divergence named")")
        }
        guard report.entries == copied.treeSize else {
            throw CLIFailure(.verificationFailed, "the copy in \(out) holds \(report.entries) entries, its snapshot \(copied.treeSize)")
        }
        if let divergence = copied.auditDivergence {
            throw CLIFailure(.verificationFailed, "the audit copy in \(out) does not hold what the ledger copy anchors: \(divergence)")
        }

        let manifest = Self.manifest(source: source, started: started, copied: copied, root: report.root, includeKeys: includeKeys)
        let path = out + "/" + Self.manifestFileName
        try writeDurably(Array((JSONWriter.text(manifest) + "\n").utf8), to: path, mode: 0o644)
        return manifest
    }

    static func manifest(source: String, started: Date, copied: StoreBackup.Copied, root: Digest32?, includeKeys: Bool) -> JSONValue {
        func anchor(_ value: AuditAnchor?) -> JSONValue {
            value.map { .object([("sequence", .unsigned($0.sequence)), ("link", .string($0.link.hex))]) } ?? .null
        }
        let head: JSONValue = copied.newestSignedHead.map {
            .object([("tree_size", .unsigned($0.head.treeSize)), ("timestamp", .string(Timestamps.text(Int64($0.head.timestampMs)))),
                     ("root", .string($0.head.root.hex)), ("signature", .string(Hex.encode($0.signature)))])
        } ?? .null
        return .object([
            ("format", .integer(1)),
            ("source", .string(source)),
            ("taken_at", .string(Timestamps.text(Int64(started.timeIntervalSince1970 * 1000)))),
            ("ledger", .object([("tree_size", .unsigned(copied.treeSize)), ("root", .string(root?.hex ?? "")),
                                ("newest_signed_head", head), ("anchored_audit", anchor(copied.anchoredAudit)),
                                ("bytes", .integer(Int64(copied.ledgerBytes)))])),
            ("audit", .object([("events", .integer(Int64(copied.auditEvents))), ("head", anchor(copied.auditHead))])),
            ("snapshots", .string("the ledger was copied first, then the audit trail: the audit copy holds every event the "
                                  + "ledger copy anchors (checked), and may hold later ones")),
            ("compacted", .bool(true)),
            ("verified", .bool(true)),
            ("keys_included", .bool(includeKeys)),
        ])
    }

    static func summary(_ manifest: JSONValue) -> String {
        guard case .object(let fields) = manifest else { return JSONWriter.text(manifest) }
        return fields.map { name, value in
            if case .string(let text) = value { return "\(name): \(text)" }
            return "\(name): \(JSONWriter.text(value))"
        }.joined(separator: "\n")
    }

    /// Copies `<data>/name` to `<out>/name` with `mode`; a missing file is skipped unless `required`.
    private func copyFile(_ name: String, mode: mode_t, required: Bool) throws {
        let from = data + "/" + name, to = out + "/" + name
        guard FileManager.default.fileExists(atPath: from) else {
            if required { throw CLIFailure(.failed, "\(from) is missing; --include-keys needs it") }
            return
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: from)) } catch {
            throw CLIFailure(.failed, "cannot read \(from): \(error.localizedDescription)")
        }
        try writeDurably(Array(bytes), to: to, mode: mode)
    }

    /// The development registry and its org keys, when the node made them (a production node has none).
    private func copyDevelopmentOrgs() throws {
        let folder = data + "/" + Self.developmentOrgsFolderName
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        guard mkdir(out + "/" + Self.developmentOrgsFolderName, 0o700) == 0 else {
            throw CLIFailure(.failed, "cannot create \(out)/\(Self.developmentOrgsFolderName): \(String(cString: strerror(errno)))")
        }
        for name in names.sorted() where !name.hasSuffix(".tmp") {
            try copyFile(Self.developmentOrgsFolderName + "/" + name, mode: 0o600, required: true)
        }
    }

    /// Creates `path` (never replacing a file) with `mode` from its first byte, and fsyncs it.
    private func writeDurably(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CLIFailure(.failed, "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            throw CLIFailure(.failed, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
