import Testing
@testable import YibaoCrypto

/// Sealing one range deterministically under the node's data key, and the keyed person index.
@Suite struct NodeDataKeyTests {
    let key = try! NodeDataKey([UInt8](0..<16))
    let plain = Array("public part|".utf8) + Array("11010519491231002X 张三".utf8) + Array("|tail".utf8)
    var range: Range<Int> { 12..<(plain.count - 5) }
    let hash = Digest32(unsafe: [UInt8](repeating: 7, count: 32))
    let binding = Array("entry".utf8)

    @Test func sealsOnlyTheRangeDeterministicallyAndOpensIt() throws {
        let sealed = key.seal(plain, range: range, from: hash, associatedData: binding)
        #expect(sealed == key.seal(plain, range: range, from: hash, associatedData: binding), "replay reproduces the bytes")
        #expect(sealed.count == plain.count + RangeSealedBytes.headerByteCount + SM4SealingKey.overhead)
        #expect(sealed[0] == RangeSealedBytes.marker)
        #expect(Array(sealed[9..<21]) == Array(plain[..<12]), "the public part stays readable")
        #expect(Array(sealed.suffix(5)) == Array("|tail".utf8))
        #expect(!String(decoding: sealed, as: UTF8.self).contains("11010519491231002X"))
        #expect(try key.open(sealed, associatedData: binding) == plain)
    }

    @Test func anotherTransactionGetsAnotherNonce() {
        let other = Digest32(unsafe: [UInt8](repeating: 8, count: 32))
        let a = key.seal(plain, range: range, from: hash, associatedData: binding)
        let b = key.seal(plain, range: range, from: other, associatedData: binding)
        #expect(Array(a[21..<37]) != Array(b[21..<37]), "different counter blocks")
    }

    @Test func aBoxOpensOnlyInItsPlaceUnalteredUnderItsKey() throws {
        let sealed = key.seal(plain, range: range, from: hash, associatedData: binding)
        #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try key.open(sealed, associatedData: Array("elsewhere".utf8)) }
        var altered = sealed
        altered[30] ^= 1
        #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try key.open(altered, associatedData: binding) }
        var moved = sealed
        moved[4] ^= 1  // the header's start: the box is bound to its place
        #expect(throws: CryptoError.self) { try key.open(moved, associatedData: binding) }
        let otherKey = try NodeDataKey([UInt8](repeating: 1, count: 16))
        #expect(throws: CryptoError.sealedBoxAuthenticationFailed) { try otherKey.open(sealed, associatedData: binding) }
        #expect(otherKey.checkValue != key.checkValue)
        #expect(throws: CryptoError.self) { try key.open(Array(sealed.prefix(20)), associatedData: binding) }
    }

    @Test func thePersonIndexIsKeyedAndIgnoresTheCheckCharactersCase() {
        let index = key.personIndex
        #expect(index.identifier(of: "11010519491231002X") == index.identifier(of: "11010519491231002x"))
        #expect(index.identifier(of: "11010519491231002X") == PersonIndexKey(dataKey: [UInt8](0..<16)).identifier(of: "11010519491231002X"))
        #expect(index.identifier(of: "11010519491231002X") != index.identifier(of: "110105194912310037"))
        #expect(index.identifier(of: "11010519491231002X")
                != PersonIndexKey(dataKey: [UInt8](repeating: 1, count: 16)).identifier(of: "11010519491231002X"))
        #expect(index.identifier(of: "11010519491231002X") != HMAC.authenticationCode(for: Array("11010519491231002X".utf8), key: [UInt8](0..<16)),
                "the index key is derived, not the data key itself")
    }
}
