import Glibc

/// An exclusive `flock` on `<folder>/node.lock`: a second node on the same data folder is refused with a clear
/// message instead of two writers racing (LMDB itself would let both open it). The kernel drops the lock when
/// the process dies, so a crash never leaves the folder locked.
final class FolderLock: @unchecked Sendable {
    private var fd: Int32

    init(directory: String) throws {
        let path = directory + "/node.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LedgerError(.unavailable, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let held = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            fd = -1
            throw held ? Self.heldError(directory: directory)
                       : LedgerError(.unavailable, "the data folder \(directory) is locked: \(reason)")
        }
    }

    /// The refusal when another process holds the folder (tools recognise it with `DataFolderLock.isHeld`).
    static func heldError(directory: String) -> LedgerError {
        LedgerError(.unavailable,
                    "the data folder \(directory) is locked: another process holds it; is a node already running on this folder?")
    }

    func release() {
        guard fd >= 0 else { return }
        close(fd)  // closing drops the flock
        fd = -1
    }

    deinit { release() }
}
