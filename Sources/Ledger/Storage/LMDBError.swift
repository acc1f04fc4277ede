import CLMDB
import Glibc

/// An LMDB return code with the call that produced it.
public struct LMDBError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: Int32
    public let operation: String

    public var description: String {
        "\(operation): \(String(cString: mdb_strerror(code))) (\(code))"
    }

    var isMapFull: Bool { code == MDB_MAP_FULL }

    /// The map at its maximum, or the file system out of blocks or quota (LMDB passes errno through).
    var isOutOfSpace: Bool { code == MDB_MAP_FULL || code == ENOSPC || code == EDQUOT }

    /// LMDB found a page that is not what the tree says it is, or a page number beyond the file: the store's
    /// bytes are damaged, not the request or the process.
    public var isCorruption: Bool {
        code == MDB_PAGE_NOTFOUND || code == MDB_CORRUPTED || code == MDB_INVALID || code == MDB_BAD_TXN
            || code == MDB_PANIC || code == MDB_VERSION_MISMATCH
    }

    /// Turns a non-zero LMDB return code into a thrown error.
    @inline(__always)
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
        if code != 0 { throw LMDBError(code: code, operation: operation()) }
    }
}
