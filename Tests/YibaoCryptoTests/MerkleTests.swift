import Testing
import YibaoCrypto

// MARK: - Reference: RFC 9162 section 2.1 written straight from its recursive definitions

/// MTH, PATH and PROOF/SUBPROOF exactly as RFC 9162 defines them, recursing on slices of the entry list.
/// It shares nothing with the code under test except `HashAlgorithm`, and builds its hash inputs by plain
/// concatenation. MTH is memoised by slice bounds so a 100,000-leaf tree is hashed once, not once per proof.
private final class ReferenceTree {
    let algorithm: HashAlgorithm
    let entries: [[UInt8]]
    private var memo: [Int: Digest32] = [:]

    init(entries: [[UInt8]], algorithm: HashAlgorithm = .sm3) {
        self.entries = entries
        self.algorithm = algorithm
    }

    func leafHash(_ entry: [UInt8]) -> Digest32 { algorithm.hash([0x00] + entry) }
    func nodeHash(_ left: Digest32, _ right: Digest32) -> Digest32 { algorithm.hash([0x01] + left.bytes + right.bytes) }

    /// The largest power of two smaller than n (n > 1).
    private func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    func tree(_ n: Int) -> ArraySlice<[UInt8]> { entries[0..<n] }

    /// MTH(D[n]).
    func mth(_ d: ArraySlice<[UInt8]>) -> Digest32 {
        let n = d.count
        if n == 0 { return algorithm.hash([UInt8]()) }
        let key = d.startIndex << 32 | d.endIndex
        if let known = memo[key] { return known }
        let result: Digest32
        if n == 1 {
            result = leafHash(d[d.startIndex])
        } else {
            let k = split(n)
            result = nodeHash(mth(d.prefix(k)), mth(d.dropFirst(k)))
        }
        memo[key] = result
        return result
    }

    /// PATH(m, D[n]).
    func path(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [Digest32] {
        let n = d.count
        if n == 1 { return [] }
        let k = split(n)
        if m < k { return path(m, d.prefix(k)) + [mth(d.dropFirst(k))] }
        return path(m - k, d.dropFirst(k)) + [mth(d.prefix(k))]
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    func proof(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [Digest32] { subproof(m, d, true) }

    func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, _ b: Bool) -> [Digest32] {
        let n = d.count
        if m == n { return b ? [] : [mth(d)] }
        let k = split(n)
        if m <= k { return subproof(m, d.prefix(k), b) + [mth(d.dropFirst(k))] }
        return subproof(m - k, d.dropFirst(k), false) + [mth(d.prefix(k))]
    }
}

// MARK: - Fixture: a log of 100,000 entries and its perfect-subtree storage

private struct MissingSubtree: Error {
    let subtree: PerfectSubtree
    let treeSize: Int
}

/// Built once: the entries, their leaf hashes, and every perfect subtree `MerkleFrontier.append` reported,
/// which is exactly what the ledger's storage will hold.
private struct StoredLog: Sendable {
    static let shared = StoredLog(count: 100_000)

    let entries: [[UInt8]]
    let leafHashes: [Digest32]
    let subtrees: [PerfectSubtree: Digest32]
    let finalFrontier: MerkleFrontier

    init(count: Int) {
        let hashing = MerkleHashing(.sm3)
        entries = (0..<count).map { Array("entry \($0)".utf8) }
        leafHashes = entries.map { hashing.leafHash($0) }
        var frontier = MerkleFrontier(.sm3)
        var stored: [PerfectSubtree: Digest32] = [:]
        stored.reserveCapacity(2 * count)
        for leaf in leafHashes {
            for completed in frontier.append(leaf) { stored[completed.subtree] = completed.hash }
        }
        subtrees = stored
        finalFrontier = frontier
    }

    /// A storage read that also proves the generator never touches a node outside the tree it serves.
    func read(_ subtree: PerfectSubtree, treeSize: Int) throws -> Digest32 {
        guard subtree.leafRange.upperBound <= UInt64(treeSize), let hash = subtrees[subtree] else {
            throw MissingSubtree(subtree: subtree, treeSize: treeSize)
        }
        return hash
    }
}

/// SplitMix64: a fixed seed makes the random samples the same on every run and machine.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The storage-read budget the generator promises: about 2·log2(n).
private func readBudget(_ n: Int) -> Int {
    var ceilLog2 = 0
    while (1 << ceilLog2) < n { ceilLog2 += 1 }
    return 2 * ceilLog2 + 2
}

/// The digest with its last bit flipped: the smallest possible tampering.
private func flipped(_ digest: Digest32) -> Digest32 {
    var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    return withUnsafeMutableBytes(of: &words) { raw in
        digest.withUnsafeBytes { raw.copyMemory(from: $0) }
        raw[31] ^= 0x01
        return Digest32(unsafe: UnsafeRawPointer(raw.baseAddress!))
    }
}

private func digests(_ hexes: [String]) -> [Digest32] { hexes.map { Digest32(hex: $0)! } }

// MARK: - Tests

@Suite struct MerkleTests {
    let generator = MerkleProofGenerator(.sm3)

    @Test func emptyTreeRootIsTheHashOfNothing() throws {
        // RFC 9162: MTH({}) = HASH(). SM3("") from GB/T 32905; SHA-256("") from FIPS 180.
        #expect(MerkleHashing(.sm3).emptyRoot.hex == "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b")
        #expect(MerkleHashing(.sha256).emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MerkleFrontier().root == MerkleHashing().emptyRoot)
        var reads = 0
        let root = try generator.root(treeSize: 0) { _ in reads += 1; return .zero }
        #expect(root == MerkleHashing().emptyRoot)
        #expect(reads == 0)
    }

    @Test func leafAndNodeHashesCarryTheirDomainPrefix() {
        let reference = ReferenceTree(entries: [])
        let hashing = MerkleHashing()
        for entry in [[], [0x00], Array("abc".utf8), [UInt8](repeating: 7, count: 5000)] as [[UInt8]] {
            #expect(hashing.leafHash(entry) == reference.leafHash(entry))
        }
        let a = HashAlgorithm.sm3.hash("a"), b = HashAlgorithm.sm3.hash("b")
        #expect(hashing.nodeHash(a, b) == reference.nodeHash(a, b))
        #expect(hashing.nodeHash(a, b) != hashing.nodeHash(b, a))
    }

    /// The published RFC 6962 / Certificate Transparency vectors (SHA-256; RFC 9162 keeps the same tree math).
    @Test func matchesCertificateTransparencyVectors() throws {
        let entries = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                       "606162636465666768696a6b6c6d6e6f"].map { Hex.decode($0)! }
        let roots = digests([
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ])
        let hashing = MerkleHashing(.sha256)
        let leaves = entries.map { hashing.leafHash($0) }
        var frontier = MerkleFrontier(.sha256)
        var stored: [PerfectSubtree: Digest32] = [:]
        for (n, leaf) in leaves.enumerated() {
            for completed in frontier.append(leaf) { stored[completed.subtree] = completed.hash }
            #expect(frontier.root == roots[n], "size \(n + 1)")
        }
        let sha = MerkleProofGenerator(.sha256)
        let lookup: (PerfectSubtree) throws -> Digest32 = { stored[$0]! }

        let inclusionVectors: [(index: UInt64, size: UInt64, path: [String])] = [
            (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
            (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
            (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        ]
        for vector in inclusionVectors {
            let path = try sha.inclusionProof(leafIndex: vector.index, treeSize: vector.size, subtree: lookup)
            #expect(path == digests(vector.path), "inclusion \(vector.index) in \(vector.size)")
            let proof = InclusionProof(leafIndex: vector.index, treeSize: vector.size, path: path, algorithm: .sha256)
            #expect(proof.verify(leafHash: leaves[Int(vector.index)], root: roots[Int(vector.size) - 1]))
        }

        let consistencyVectors: [(old: UInt64, new: UInt64, path: [String])] = [
            (1, 1, []),
            (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
            (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        ]
        for vector in consistencyVectors {
            let path = try sha.consistencyProof(oldSize: vector.old, newSize: vector.new, subtree: lookup)
            #expect(path == digests(vector.path), "consistency \(vector.old) to \(vector.new)")
            let proof = ConsistencyProof(oldSize: vector.old, newSize: vector.new, path: path, algorithm: .sha256)
            #expect(proof.verify(oldRoot: roots[Int(vector.old) - 1], newRoot: roots[Int(vector.new) - 1]))
            // The same proof read with the wrong hash function proves nothing.
            let asSM3 = ConsistencyProof(oldSize: vector.old, newSize: vector.new, path: path, algorithm: .sm3)
            if vector.old != vector.new {
                #expect(!asSM3.verify(oldRoot: roots[Int(vector.old) - 1], newRoot: roots[Int(vector.new) - 1]))
            }
        }
    }

    @Test func frontierMatchesReferenceAndReportsCompletedSubtreesForEverySizeUpTo300() throws {
        let log = StoredLog.shared
        let reference = ReferenceTree(entries: Array(log.entries.prefix(301)))
        #expect(log.leafHashes.prefix(301).elementsEqual(reference.entries.map(reference.leafHash)))
        var frontier = MerkleFrontier()
        for n in 1...300 {
            let completed = frontier.append(log.leafHashes[n - 1])
            #expect(frontier.size == UInt64(n))
            #expect(frontier.root == reference.mth(reference.tree(n)), "size \(n)")
            #expect(frontier.subtreeRoots.count == n.nonzeroBitCount)

            // Exactly the perfect subtrees ending at leaf n: the leaf, then one parent per trailing one of n - 1.
            #expect(completed.count == (~(n - 1)).trailingZeroBitCount + 1, "size \(n)")
            for (level, node) in completed.enumerated() {
                #expect(node.subtree.level == level)
                #expect(node.subtree.leafRange.upperBound == UInt64(n))
                let range = Int(node.subtree.leafRange.lowerBound)..<Int(node.subtree.leafRange.upperBound)
                #expect(node.hash == reference.mth(reference.entries[range]))
            }

            // A restart rebuilds the same frontier from storage, both ways, and it keeps appending identically.
            let addresses = try MerkleFrontier.subtrees(forSize: UInt64(n))
            #expect(addresses == frontier.subtrees.map(\.subtree))
            var fromRoots = try #require(MerkleFrontier(size: UInt64(n), subtreeRoots: frontier.subtreeRoots))
            let fromStorage = try MerkleFrontier(size: UInt64(n)) { try log.read($0, treeSize: n) }
            #expect(fromRoots == frontier)
            #expect(fromStorage == frontier)
            var next = frontier
            let completedAfterRestart = fromRoots.append(log.leafHashes[n])
            let completedWithoutRestart = next.append(log.leafHashes[n])
            #expect(completedAfterRestart == completedWithoutRestart)
            #expect(fromRoots == next)
        }
        #expect(MerkleFrontier(size: 5, subtreeRoots: [.zero]) == nil)
        #expect(MerkleFrontier(size: MerkleLimits.maxTreeSize + 1, subtreeRoots: []) == nil)
    }

    @Test func historicRootsFromStorageMatchReference() throws {
        let log = StoredLog.shared
        let reference = ReferenceTree(entries: Array(log.entries.prefix(300)))
        for n in 0...300 {
            var reads = 0
            let root = try generator.root(treeSize: UInt64(n)) { reads += 1; return try log.read($0, treeSize: n) }
            #expect(root == reference.mth(reference.tree(n)), "size \(n)")
            #expect(reads == n.nonzeroBitCount)
        }
        #expect(try generator.root(treeSize: UInt64(log.entries.count)) { try log.read($0, treeSize: log.entries.count) }
                == log.finalFrontier.root)
    }

    @Test func inclusionProofsMatchRFCForEveryIndexOfEverySizeUpTo300() throws {
        let log = StoredLog.shared
        let reference = ReferenceTree(entries: Array(log.entries.prefix(300)))
        for n in 1...300 {
            let root = reference.mth(reference.tree(n))
            for m in 0..<n {
                var reads = 0
                let path = try generator.inclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n)) {
                    reads += 1
                    return try log.read($0, treeSize: n)
                }
                #expect(path == reference.path(m, reference.tree(n)), "PATH(\(m), D[\(n)])")
                #expect(reads <= readBudget(n), "PATH(\(m), D[\(n)]) took \(reads) reads")
                let proof = InclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n), path: path)
                #expect(try proof.rootFromLeafHash(log.leafHashes[m]) == root, "PATH(\(m), D[\(n)])")
            }
        }
    }

    @Test func consistencyProofsMatchRFCForEveryPairOfSizesUpTo300() throws {
        let log = StoredLog.shared
        let reference = ReferenceTree(entries: Array(log.entries.prefix(300)))
        for n in 1...300 {
            let newRoot = reference.mth(reference.tree(n))
            for m in 1...n {
                var reads = 0
                let path = try generator.consistencyProof(oldSize: UInt64(m), newSize: UInt64(n)) {
                    reads += 1
                    return try log.read($0, treeSize: n)
                }
                #expect(path == reference.proof(m, reference.tree(n)), "PROOF(\(m), D[\(n)])")
                #expect(reads <= readBudget(n), "PROOF(\(m), D[\(n)]) took \(reads) reads")
                let oldRoot = reference.mth(reference.tree(m))
                let proof = ConsistencyProof(oldSize: UInt64(m), newSize: UInt64(n), path: path)
                #expect(try proof.newRoot(fromOldRoot: oldRoot) == newRoot, "PROOF(\(m), D[\(n)])")
            }
        }
    }

    /// Every single-hash change, every neighbouring index or size, and a wrong leaf or root must fail.
    @Test func tamperedProofsFail() throws {
        let log = StoredLog.shared
        let reference = ReferenceTree(entries: Array(log.entries.prefix(101)))
        let roots = (0...101).map { reference.mth(reference.tree($0)) }
        for n in 1...100 {
            for m in 0..<n {
                let path = reference.path(m, reference.tree(n))
                let leaf = log.leafHashes[m]
                for i in path.indices {
                    var bad = path
                    bad[i] = flipped(bad[i])
                    #expect(!InclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n), path: bad)
                        .verify(leafHash: leaf, root: roots[n]), "PATH(\(m), D[\(n)]) element \(i)")
                }
                for other in [m - 1, m + 1] where other >= 0 && other < n {
                    #expect(!InclusionProof(leafIndex: UInt64(other), treeSize: UInt64(n), path: path)
                        .verify(leafHash: leaf, root: roots[n]), "PATH(\(m), D[\(n)]) as index \(other)")
                }
                // A different size is checked against that size's root: the root is what a signed head binds.
                for size in [n - 1, n + 1] where size > m {
                    #expect(!InclusionProof(leafIndex: UInt64(m), treeSize: UInt64(size), path: path)
                        .verify(leafHash: leaf, root: roots[size]), "PATH(\(m), D[\(n)]) as size \(size)")
                }
                let proof = InclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n), path: path)
                #expect(!proof.verify(leafHash: log.leafHashes[m + 1], root: roots[n]))
                #expect(!proof.verify(leafHash: leaf, root: flipped(roots[n])))
            }
            for m in 1...n {
                let path = reference.proof(m, reference.tree(n))
                for i in path.indices {
                    var bad = path
                    bad[i] = flipped(bad[i])
                    #expect(!ConsistencyProof(oldSize: UInt64(m), newSize: UInt64(n), path: bad)
                        .verify(oldRoot: roots[m], newRoot: roots[n]), "PROOF(\(m), D[\(n)]) element \(i)")
                }
                for old in [m - 1, m + 1] where old >= 1 && old <= n {
                    #expect(!ConsistencyProof(oldSize: UInt64(old), newSize: UInt64(n), path: path)
                        .verify(oldRoot: roots[old], newRoot: roots[n]), "PROOF(\(m), D[\(n)]) as old size \(old)")
                }
                for new in [n - 1, n + 1] where new >= m {
                    #expect(!ConsistencyProof(oldSize: UInt64(m), newSize: UInt64(new), path: path)
                        .verify(oldRoot: roots[m], newRoot: roots[new]), "PROOF(\(m), D[\(n)]) as new size \(new)")
                }
                let proof = ConsistencyProof(oldSize: UInt64(m), newSize: UInt64(n), path: path)
                #expect(!proof.verify(oldRoot: flipped(roots[m]), newRoot: roots[n]))
                #expect(!proof.verify(oldRoot: roots[m], newRoot: flipped(roots[n])))
            }
        }
    }

    /// Seeded random sizes and indexes up to 100,000 leaves, plus the edges around a power of two.
    @Test func randomLargeTreesMatchRFC() throws {
        let log = StoredLog.shared
        let reference = ReferenceTree(entries: log.entries)
        var random = SeededGenerator(state: 0x5942_414f_4d45_524b)  // "YBAOMERK"
        var sizes = [65_535, 65_536, 65_537, 100_000]
        for _ in 0..<28 { sizes.append(Int.random(in: 1...100_000, using: &random)) }
        for n in sizes {
            let root = reference.mth(reference.tree(n))
            let m = Int.random(in: 0..<n, using: &random)
            var reads = 0
            let path = try generator.inclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n)) {
                reads += 1
                return try log.read($0, treeSize: n)
            }
            #expect(path == reference.path(m, reference.tree(n)), "PATH(\(m), D[\(n)])")
            #expect(reads <= readBudget(n), "PATH(\(m), D[\(n)]) took \(reads) reads")
            let inclusion = InclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n), path: path)
            #expect(inclusion.verify(leafHash: log.leafHashes[m], root: root))
            for i in path.indices {
                var bad = path
                bad[i] = flipped(bad[i])
                #expect(!InclusionProof(leafIndex: UInt64(m), treeSize: UInt64(n), path: bad)
                    .verify(leafHash: log.leafHashes[m], root: root))
            }

            let old = Int.random(in: 1...n, using: &random)
            reads = 0
            let consistency = try generator.consistencyProof(oldSize: UInt64(old), newSize: UInt64(n)) {
                reads += 1
                return try log.read($0, treeSize: n)
            }
            #expect(consistency == reference.proof(old, reference.tree(n)), "PROOF(\(old), D[\(n)])")
            #expect(reads <= readBudget(n), "PROOF(\(old), D[\(n)]) took \(reads) reads")
            let oldRoot = reference.mth(reference.tree(old))
            let proof = ConsistencyProof(oldSize: UInt64(old), newSize: UInt64(n), path: consistency)
            #expect(proof.verify(oldRoot: oldRoot, newRoot: root))
            for i in consistency.indices {
                var bad = consistency
                bad[i] = flipped(bad[i])
                #expect(!ConsistencyProof(oldSize: UInt64(old), newSize: UInt64(n), path: bad)
                    .verify(oldRoot: oldRoot, newRoot: root))
            }

            reads = 0
            #expect(try generator.root(treeSize: UInt64(n)) { reads += 1; return try log.read($0, treeSize: n) } == root)
            #expect(reads == n.nonzeroBitCount)
        }
    }

    @Test func malformedProofsAreRejectedWithoutCrashing() throws {
        let leaf = HashAlgorithm.sm3.hash("leaf")
        let some = [Digest32](repeating: leaf, count: 3)
        let max = MerkleLimits.maxTreeSize
        let cases: [(InclusionProof, MerkleProofError)] = [
            (InclusionProof(leafIndex: 0, treeSize: 0, path: []), .emptyTree),
            (InclusionProof(leafIndex: 5, treeSize: 5, path: some), .leafIndexOutOfRange(leafIndex: 5, treeSize: 5)),
            (InclusionProof(leafIndex: .max, treeSize: 3, path: some), .leafIndexOutOfRange(leafIndex: .max, treeSize: 3)),
            (InclusionProof(leafIndex: 0, treeSize: .max, path: some), .treeTooLarge(treeSize: .max)),
            (InclusionProof(leafIndex: 0, treeSize: max, path: .init(repeating: leaf, count: 65)), .pathTooLong(length: 65)),
            (InclusionProof(leafIndex: 0, treeSize: 8, path: some + [leaf]), .wrongPathLength(expected: 3, actual: 4)),
            (InclusionProof(leafIndex: 0, treeSize: 8, path: [leaf, leaf]), .wrongPathLength(expected: 3, actual: 2)),
            (InclusionProof(leafIndex: 0, treeSize: 1, path: [leaf]), .wrongPathLength(expected: 0, actual: 1)),
        ]
        for (proof, expected) in cases {
            #expect(throws: expected) { try proof.rootFromLeafHash(leaf) }
            #expect(!proof.verify(leafHash: leaf, root: leaf))
            #expect(!expected.description.isEmpty)
        }
        // The largest tree still works: its deepest leaf has a 63-hash path.
        #expect(try InclusionProof(leafIndex: max - 1, treeSize: max, path: .init(repeating: leaf, count: 63))
            .rootFromLeafHash(leaf) != leaf)

        let consistencyCases: [(ConsistencyProof, MerkleProofError)] = [
            (ConsistencyProof(oldSize: 0, newSize: 4, path: some), .emptyOldTree),
            (ConsistencyProof(oldSize: 5, newSize: 4, path: some), .oldSizeExceedsNewSize(oldSize: 5, newSize: 4)),
            (ConsistencyProof(oldSize: 1, newSize: .max, path: some), .treeTooLarge(treeSize: .max)),
            (ConsistencyProof(oldSize: 3, newSize: max, path: .init(repeating: leaf, count: 65)), .pathTooLong(length: 65)),
            (ConsistencyProof(oldSize: 4, newSize: 4, path: [leaf]), .wrongPathLength(expected: 0, actual: 1)),
            (ConsistencyProof(oldSize: 3, newSize: 4, path: []), .wrongPathLength(expected: 3, actual: 0)),
            (ConsistencyProof(oldSize: 1, newSize: 8, path: some + some), .wrongPathLength(expected: 3, actual: 6)),
        ]
        for (proof, expected) in consistencyCases {
            #expect(throws: expected) { try proof.newRoot(fromOldRoot: leaf) }
            #expect(!proof.verify(oldRoot: leaf, newRoot: leaf))
        }
        // Equal sizes: an empty path, and the roots must be equal.
        #expect(ConsistencyProof(oldSize: 7, newSize: 7, path: []).verify(oldRoot: leaf, newRoot: leaf))
        #expect(!ConsistencyProof(oldSize: 7, newSize: 7, path: []).verify(oldRoot: leaf, newRoot: flipped(leaf)))
        // A path that does not rebuild the old root is named as such.
        #expect(throws: MerkleProofError.oldRootMismatch) {
            try ConsistencyProof(oldSize: 3, newSize: 4, path: some).newRoot(fromOldRoot: leaf)
        }

        // The generator refuses the same requests before touching storage.
        var reads = 0
        let lookup: (PerfectSubtree) throws -> Digest32 = { _ in reads += 1; return leaf }
        #expect(throws: MerkleProofError.emptyTree) { try generator.inclusionProof(leafIndex: 0, treeSize: 0, subtree: lookup) }
        #expect(throws: MerkleProofError.leafIndexOutOfRange(leafIndex: 9, treeSize: 9)) {
            try generator.inclusionProof(leafIndex: 9, treeSize: 9, subtree: lookup)
        }
        #expect(throws: MerkleProofError.treeTooLarge(treeSize: max + 1)) {
            try generator.inclusionProof(leafIndex: 0, treeSize: max + 1, subtree: lookup)
        }
        #expect(throws: MerkleProofError.emptyOldTree) { try generator.consistencyProof(oldSize: 0, newSize: 3, subtree: lookup) }
        #expect(throws: MerkleProofError.oldSizeExceedsNewSize(oldSize: 4, newSize: 3)) {
            try generator.consistencyProof(oldSize: 4, newSize: 3, subtree: lookup)
        }
        #expect(throws: MerkleProofError.treeTooLarge(treeSize: .max)) { try generator.root(treeSize: .max, subtree: lookup) }
        #expect(throws: MerkleProofError.treeTooLarge(treeSize: .max)) { try MerkleFrontier.subtrees(forSize: .max) }
        #expect(reads == 0)
        // Proofs for the largest allowed tree stay within the path limit and the read budget.
        let deepest = try generator.inclusionProof(leafIndex: max - 1, treeSize: max, subtree: lookup)
        #expect(deepest.count == 63 && reads == 63)
        reads = 0
        let widest = try generator.consistencyProof(oldSize: max - 1, newSize: max, subtree: lookup)
        #expect(widest.count == 64 && reads <= 2 * 63 + 2)
        #expect(ConsistencyProof(oldSize: max - 1, newSize: max, path: widest).verify(oldRoot: leaf, newRoot: leaf) == false)
    }

    @Test func perfectSubtreeAddressing() throws {
        let subtree = PerfectSubtree(level: 3, index: 5)
        #expect(subtree.firstLeaf == 40 && subtree.leafCount == 8 && subtree.leafRange == 40..<48)
        #expect(PerfectSubtree.isValid(level: 63, index: 0))
        #expect(!PerfectSubtree.isValid(level: 63, index: 1))
        #expect(!PerfectSubtree.isValid(level: 64, index: 0))
        #expect(!PerfectSubtree.isValid(level: -1, index: 0))
        #expect(!PerfectSubtree.isValid(level: 0, index: MerkleLimits.maxTreeSize))
        #expect(try MerkleFrontier.subtrees(forSize: 13) ==
            [PerfectSubtree(level: 3, index: 0), PerfectSubtree(level: 2, index: 2), PerfectSubtree(level: 0, index: 12)])
    }

    @Test func treeHeadSignedBytesRoundTrip() throws {
        let root = try #require(Digest32(bytes: (0..<32).map { UInt8($0) }))
        let head = TreeHead(treeSize: 0x0102_0304_0506_0708, timestampMs: 0x1112_1314_1516_1718, root: root)
        let bytes = head.signedBytes
        #expect(bytes.count == 60 && TreeHead.signedByteCount == 60)
        #expect(Array(bytes[0..<12]) == Array("yibao-sth-v1".utf8))
        #expect(Array(bytes[12..<28]) == [1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
        #expect(Array(bytes[28..<60]) == root.bytes)
        #expect(TreeHead(signedBytes: bytes) == head)
        #expect(TreeHead(signedBytes: bytes[...]) == head)

        #expect(TreeHead(signedBytes: bytes.dropLast()) == nil)
        #expect(TreeHead(signedBytes: bytes + [0]) == nil)
        #expect(TreeHead(signedBytes: [UInt8]()) == nil)
        var wrongLabel = bytes
        wrongLabel[11] = UInt8(ascii: "2")
        #expect(TreeHead(signedBytes: wrongLabel) == nil)
        let extremes = TreeHead(treeSize: .max, timestampMs: 0, root: .zero)
        #expect(TreeHead(signedBytes: extremes.signedBytes) == extremes)
    }
}
