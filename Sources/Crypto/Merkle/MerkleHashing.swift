/// The hashes of RFC 9162 section 2.1.1. The 0x00 / 0x01 prefixes keep leaves and interior nodes in separate
/// domains, so no leaf can be passed off as a node (second-preimage defence).
public struct MerkleHashing: Hashable, Sendable {
    public let algorithm: HashAlgorithm

    public init(_ algorithm: HashAlgorithm = .sm3) {
        self.algorithm = algorithm
    }

    /// MTH({}) = HASH(): the root of a tree with no leaves.
    public var emptyRoot: Digest32 {
        algorithm.hash(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// HASH(0x00 || entry), fed to the hash in two pieces so the entry is never copied.
    public func leafHash(_ entry: UnsafeRawBufferPointer) -> Digest32 {
        algorithm.hash(prefix: 0x00, entry)
    }

    public func leafHash(_ entry: some ContiguousBytesSequence) -> Digest32 {
        entry.withContiguousBytes { leafHash($0) }
    }

    /// HASH(0x01 || left || right), built in a 72-byte stack block: nodes are hashed on every append and proof step.
    public func nodeHash(_ left: Digest32, _ right: Digest32) -> Digest32 {
        var block = NodeHashInput()
        return withUnsafeMutableBytes(of: &block) { raw in
            raw[7] = 0x01
            left.store(to: raw.baseAddress! + 8)
            right.store(to: raw.baseAddress! + 40)
            return algorithm.hash(UnsafeRawBufferPointer(rebasing: raw[7..<72]))
        }
    }
}

/// Byte 7 holds the 0x01 prefix so both digests land on 8-byte boundaries; bytes 7..<72 are hashed.
/// A named struct rather than a bare tuple, so unoptimised builds need no tuple metadata lookup per node.
private struct NodeHashInput {
    var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
}
