import CLMDB

/// LMDB's put flags as Swift constants (the C macros import as Int32).
enum LMDBFlags {
    /// The key sorts after every existing key: LMDB fills pages sequentially instead of splitting them.
    static let append = UInt32(MDB_APPEND)
    static let noOverwrite = UInt32(MDB_NOOVERWRITE)
    static let keyExists = MDB_KEYEXIST
}
