import Foundation
import YibaoCrypto

/// The node's data key in its data folder: `data-key`, the 16 raw bytes, mode 0600. Created on the first open
/// of a store that has none; the store keeps the key's check value in `meta`, so a different or missing key is
/// refused at open instead of failing on the first sealed read.
public enum DataKeyFile {
    public static let fileName = "data-key"

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    /// The key in `directory`, or nil if there is no key file; refuses a file of the wrong size or one that
    /// others may read.
    public static func load(directory: String) throws -> NodeDataKey? {
        let path = path(in: directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { throw LedgerError(.internal, "cannot stat \(path): errno \(errno)") }
        guard info.st_mode & 0o077 == 0 else {
            throw LedgerError(.failedPrecondition,
                              "\(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); it must be 600")
        }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count == NodeDataKey.byteCount else {
            throw LedgerError(.failedPrecondition, "\(path) holds \(bytes.count) bytes; a data key is \(NodeDataKey.byteCount)")
        }
        return try NodeDataKey(bytes)
    }

    /// Writes a fresh random key: a temporary file with mode 0600, fsynced, then renamed into place, so a crash
    /// leaves either no key or the whole key.
    static func create(directory: String) throws -> NodeDataKey {
        let bytes = NodeDataKey.random()
        let path = path(in: directory), temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw LedgerError(.internal, "cannot create \(temporary): errno \(errno)") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fchmod(fd, 0o600) == 0 && fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            throw LedgerError(.internal, "cannot write \(path): errno \(errno)")
        }
        let folder = open(directory, O_RDONLY)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
        return try NodeDataKey(bytes)
    }

    /// At open: the folder's key, checked against the store (or created with a new store, or adopted by a store
    /// from before sealing); records its check value in the store.
    static func openForStore(directory: String, env: LMDBEnvironment, schema: LedgerSchema) throws -> NodeDataKey {
        let stored = try env.read { try schema.metaBytes(.dataKeyCheck, in: $0) }
        guard let key = try load(directory: directory) else {
            guard stored == nil else {
                throw LedgerError(.failedPrecondition,
                                  "this ledger seals PII with a data key, but \(path(in: directory)) is missing; restore it")
            }
            let created = try create(directory: directory)
            try env.write { try schema.setMetaBytes(.dataKeyCheck, created.checkValue.bytes, in: $0) }
            return created
        }
        try check(key, against: stored, path: path(in: directory))
        if stored == nil { try env.write { try schema.setMetaBytes(.dataKeyCheck, key.checkValue.bytes, in: $0) } }
        return key
    }

    static func check(_ key: NodeDataKey, against stored: [UInt8]?, path: String) throws {
        guard let stored, stored != key.checkValue.bytes else { return }
        throw LedgerError(.failedPrecondition,
                          "the data key \(path) is not the key this ledger's PII is sealed with (its check value differs)")
    }
}
