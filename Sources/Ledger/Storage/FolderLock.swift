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
        guard Self.lock(fd) else {
            let held = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            fd = -1
            throw held ? Self.heldError(directory: directory)
                       : LedgerError(.unavailable, "the data folder \(directory) is locked: \(reason)")
        }
    }

    /// Attempts before a held lock is refused, `retryPause` apart. A lock released by this process can stay held for
    /// a moment: a child being spawned by another thread holds a copy of every descriptor until its exec closes the
    /// close-on-exec ones, and the flock lives as long as any copy does. So a reopen right after a close (tests, a
    /// supervisor restarting the node) waits that moment out instead of reporting another node.
    static let attempts = 20
    static let retryPause: useconds_t = 25_000

    private static func lock(_ fd: Int32) -> Bool {
        for attempt in 1...attempts {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK, attempt < attempts else { return false }
            usleep(retryPause)
        }
        return false
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
