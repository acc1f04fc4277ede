import CLMDB
import Glibc

extension LMDBEnvironment {
    /// Writes one read transaction's snapshot of this environment to `<folder>/data.mdb` (`mdb_env_copy2`).
    /// `folder` must exist; LMDB refuses to overwrite a `data.mdb` already there (it creates the file exclusively).
    ///
    /// Compacting (`MDB_CP_COMPACT`) walks the B-trees and writes only pages in use, renumbered: the copy holds
    /// no free pages (which may still carry superseded record versions), is no larger than the data, and, unlike
    /// the plain copy, never takes the writer's mutex, so a node writing in another process is not held up.
    /// Safe beside that writer because both processes use the lock file (`lock.mdb`, no `MDB_NOLOCK`): the copy's
    /// reader slot keeps the pages it reads from being reused until it ends.
    public func copy(toFolder folder: String) throws(LMDBError) {
        try gate.shared { () throws(LMDBError) in
            var rc = mdb_env_copy2(handle, folder, UInt32(MDB_CP_COMPACT))
            if rc == MDB_MAP_RESIZED {
                // The writing process grew the map since this one opened: adopt its size and copy again (LMDB
                // created the file before it began the read, so the empty start of one is removed first).
                mdb_env_set_mapsize(handle, 0)
                unlink(folder + "/data.mdb")
                rc = mdb_env_copy2(handle, folder, UInt32(MDB_CP_COMPACT))
            }
            try LMDBError.check(rc, "copying the LMDB store into \(folder) (mdb_env_copy2)")
        }
        // LMDB creates the copy with the process umask and writes it without fsync: make it owner-only, as the
        // node's own store is, and durable before anyone is told it exists.
        let path = folder + "/data.mdb"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LMDBError(code: errno, operation: "opening the copy \(path)") }
        defer { Glibc.close(fd) }
        guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else { throw LMDBError(code: errno, operation: "chmod 600 and fsync of the copy \(path)") }
    }
}
