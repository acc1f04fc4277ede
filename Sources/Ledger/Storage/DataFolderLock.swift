/// The data folder's node lock for tools that must not run beside a node: offline verification (it would read a
/// store that is changing under it) and the node's first-start set-up (it must not write keys into a folder
/// another node is using).
public enum DataFolderLock {
    /// Runs `body` while holding the folder's lock; throws the lock's refusal (`isHeld` is true for it) when a node
    /// or another tool holds it.
    public static func whileHeld<R>(directory: String, _ body: () throws -> R) throws -> R {
        let lock = try FolderLock(directory: directory)
        defer { lock.release() }
        return try body()
    }

    /// Whether `error` (from `whileHeld` or `Ledger.init`) means another process holds the folder.
    public static func isHeld(_ error: any Error, directory: String) -> Bool {
        (error as? LedgerError) == FolderLock.heldError(directory: directory)
    }
}
