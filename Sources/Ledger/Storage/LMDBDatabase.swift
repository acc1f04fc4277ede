import CLMDB

/// A named database inside the environment. Handles stay valid for the environment's life.
public struct LMDBDatabase: Sendable, Hashable {
    let handle: MDB_dbi
}

/// Big-endian u64 keys sort numerically under LMDB's default byte comparison, so sequential indexes append.
@usableFromInline
struct U64Key {
    @usableFromInline var bigEndian: UInt64
    @inlinable init(_ value: UInt64) { bigEndian = value.bigEndian }

    @inlinable static func decode(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }
}
