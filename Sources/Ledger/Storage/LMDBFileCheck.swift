import Foundation

/// Checks `data.mdb` before LMDB maps it. LMDB maps the whole file and trusts its meta pages: a file shorter than
/// the pages they claim is mapped past its end, and the first read of a missing page kills the process with SIGBUS
/// inside liblmdb. So the meta pages are read here with plain file reads and the file's size is held against them;
/// a short or unrecognisable file is refused in words instead. The layout (LMDB 0.9, 64-bit, `mdb.c`) is in
/// docs/ledger.md "The store's file".
public struct LMDBFileCheck: Sendable {
    /// A file LMDB must not map, with what is wrong with it in plain words.
    public struct Damage: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// One meta page as LMDB wrote it.
    struct Meta: Equatable {
        let pageSize: Int
        let lastPage: UInt64
        let transaction: UInt64
    }

    static let magic: UInt32 = 0xBEEF_C0DE
    static let dataVersion: UInt32 = 1
    /// `P_META` in the page header's flags.
    static let metaPageFlag: UInt16 = 0x08
    /// Offsets inside a meta page: the 16-byte page header, then `MDB_meta`.
    static let flagsOffset = 10
    static let magicOffset = 16
    static let versionOffset = 20
    /// `mm_dbs[FREE_DBI].md_pad`, which LMDB uses for the page size.
    static let pageSizeOffset = 40
    static let lastPageOffset = 136
    static let transactionOffset = 144
    static let metaBytes = 152
    /// LMDB's page sizes are powers of two in this range (`MDB_MINPAGE`, `MAX_PAGESIZE`).
    static let pageSizes = 256...(1 << 16)

    public let path: String

    /// `directory`'s `data.mdb`.
    public init(directory: String) {
        path = directory + "/data.mdb"
    }

    /// Throws `Damage` for a file LMDB must not map; a missing or empty file is fine (LMDB creates it).
    public func check() throws(Damage) {
        let size: UInt64
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch {
            return  // no file yet: LMDB creates one
        }
        guard size > 0 else { return }
        let first = try read(at: 0, count: Self.metaBytes, fileSize: size)
        let meta0 = try meta(first, page: 0, fileSize: size)
        let second = try read(at: UInt64(meta0.pageSize), count: Self.metaBytes, fileSize: size)
        let meta1 = try meta(second, page: 1, fileSize: size)
        // LMDB opens at the meta page with the newer transaction.
        let newest = meta1.transaction > meta0.transaction ? meta1 : meta0
        let needed = (newest.lastPage + 1).multipliedReportingOverflow(by: UInt64(newest.pageSize))
        guard !needed.overflow else {
            throw damage("its meta page names last page \(newest.lastPage), beyond any file; the file is damaged")
        }
        guard size >= needed.partialValue else {
            throw damage("the file is \(size) bytes, but its meta page (transaction \(newest.transaction)) says the store "
                         + "uses \(newest.lastPage + 1) pages of \(newest.pageSize) bytes (\(needed.partialValue) bytes): the "
                         + "file is truncated. The node will not map it; restore the data folder from a backup")
        }
    }

    private func meta(_ bytes: [UInt8], page: Int, fileSize: UInt64) throws(Damage) -> Meta {
        let flags = Self.load(UInt16.self, bytes, Self.flagsOffset)
        let magic = Self.load(UInt32.self, bytes, Self.magicOffset)
        guard flags & Self.metaPageFlag != 0, magic == Self.magic else {
            throw damage("page \(page) is not an LMDB meta page (flags \(flags), magic \(String(magic, radix: 16))); "
                         + "this is not an LMDB store or its first pages were overwritten")
        }
        let version = Self.load(UInt32.self, bytes, Self.versionOffset)
        guard version == Self.dataVersion else {
            throw damage("meta page \(page) has LMDB data version \(version); this node reads version \(Self.dataVersion)")
        }
        let pageSize = Int(Self.load(UInt32.self, bytes, Self.pageSizeOffset))
        guard Self.pageSizes.contains(pageSize), pageSize.nonzeroBitCount == 1 else {
            throw damage("meta page \(page) names a page size of \(pageSize) bytes; the file is damaged")
        }
        return Meta(pageSize: pageSize, lastPage: Self.load(UInt64.self, bytes, Self.lastPageOffset),
                    transaction: Self.load(UInt64.self, bytes, Self.transactionOffset))
    }

    private func read(at offset: UInt64, count: Int, fileSize: UInt64) throws(Damage) -> [UInt8] {
        guard offset + UInt64(count) <= fileSize else {
            throw damage("the file is \(fileSize) bytes, too short to hold LMDB's two meta pages: it is truncated")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw damage("the file cannot be opened for reading") }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else { throw damage("the file ended while its meta pages were read") }
            return Array(data)
        } catch let error as Damage {
            throw error
        } catch {
            throw damage("its meta pages cannot be read: \(error.localizedDescription)")
        }
    }

    private func damage(_ reason: String) -> Damage { Damage(path: path, reason: reason) }

    /// LMDB writes its meta in the machine's byte order; this node runs little-endian (x86-64, arm64).
    private static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ offset: Int) -> T {
        bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
}
