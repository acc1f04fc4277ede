import Foundation

/// An SM2 private key in a PEM file that only its owner may read (the node key, org keys): written with mode 0600
/// from the first byte, fsynced, and renamed into place, so a crash leaves the whole key or none; loading refuses a
/// file that group or others may read, as ssh does.
public enum PrivateKeyFile {
    /// Refuses to replace an existing file: a key is never overwritten by accident.
    public static func write(_ key: SM2PrivateKey, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CryptoError("writing the key \(path)", detail: "the file exists; refusing to overwrite a key")
        }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CryptoError("creating \(temporary)", detail: String(cString: strerror(errno))) }
        let bytes = Array(key.pemRepresentation.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fchmod(fd, 0o600) == 0 && fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CryptoError("writing the key \(path)", detail: String(cString: strerror(errno)))
        }
    }

    public static func load(_ path: String) throws -> SM2PrivateKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CryptoError("reading the key \(path)", detail: String(cString: strerror(errno))) }
        guard info.st_mode & 0o077 == 0 else {
            throw CryptoError("reading the key \(path)",
                              detail: "group or others may read it (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CryptoError("reading the key \(path)", detail: error.localizedDescription)
        }
        return try SM2PrivateKey(pem: text)
    }
}
