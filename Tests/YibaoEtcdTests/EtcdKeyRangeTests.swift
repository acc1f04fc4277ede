import Testing
@testable import YibaoEtcd

/// Prefix ranges as etcd's clientv3 computes them (GetPrefixRangeEnd): last byte incremented, trailing 0xFF
/// dropped, "to the end" when nothing is left.
@Suite("EtcdKeyRange")
struct EtcdKeyRangeTests {
    @Test(arguments: [
        ([UInt8]("log/".utf8), [UInt8]("log0".utf8)),
        ([0x61, 0xFF], [0x62]),
        ([0x61, 0xFF, 0xFF], [0x62]),
        ([0xFF, 0xFF], [0]),
        ([], [0]),
    ])
    func prefixEnd(_ prefix: [UInt8], _ end: [UInt8]) {
        #expect(EtcdKeyRange.prefixEnd(prefix) == end)
    }

    @Test func shapes() {
        #expect(EtcdKeyRange.key([1, 2]) == EtcdKeyRange(key: [1, 2], end: []))
        #expect(EtcdKeyRange.from([1]) == EtcdKeyRange(key: [1], end: [0]))
        #expect(EtcdKeyRange.prefix([]) == EtcdKeyRange(key: [0], end: [0]))
    }
}
