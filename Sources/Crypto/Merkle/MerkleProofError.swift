/// Why a proof request or a received proof was rejected. Verifiers throw these instead of trapping,
/// because sizes, indexes and paths come from peers.
public enum MerkleProofError: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyTree
    case leafIndexOutOfRange(leafIndex: UInt64, treeSize: UInt64)
    case treeTooLarge(treeSize: UInt64)
    case emptyOldTree
    case oldSizeExceedsNewSize(oldSize: UInt64, newSize: UInt64)
    case pathTooLong(length: Int)
    case wrongPathLength(expected: Int, actual: Int)
    case oldRootMismatch

    public var description: String {
        switch self {
        case .emptyTree:
            "tree size is 0: an empty tree contains no leaf to prove"
        case let .leafIndexOutOfRange(leafIndex, treeSize):
            "leaf index \(leafIndex) is not below tree size \(treeSize)"
        case let .treeTooLarge(treeSize):
            "tree size \(treeSize) exceeds the limit of \(MerkleLimits.maxTreeSize) leaves"
        case .emptyOldTree:
            "old tree size is 0: RFC 9162 defines no consistency proof from an empty tree"
        case let .oldSizeExceedsNewSize(oldSize, newSize):
            "old tree size \(oldSize) exceeds new tree size \(newSize)"
        case let .pathTooLong(length):
            "proof path has \(length) hashes; at most \(MerkleLimits.maxPathLength) are allowed"
        case let .wrongPathLength(expected, actual):
            "proof path has \(actual) hashes; these sizes need exactly \(expected)"
        case .oldRootMismatch:
            "consistency path does not reproduce the old root"
        }
    }
}
