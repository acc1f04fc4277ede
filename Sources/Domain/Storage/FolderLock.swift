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
            let reason = errno == EWOULDBLOCK ? "another process holds it; is a node already running on this folder?"
                                              : String(cString: strerror(errno))
            close(fd)
            fd = -1
            throw LedgerError(.unavailable, "the data folder \(directory) is locked: \(reason)")
        }
    }

    func release() {
        guard fd >= 0 else { return }
        close(fd)  // closing drops the flock
        fd = -1
    }

    deinit { release() }
}
