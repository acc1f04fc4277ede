/// Hard bounds for Merkle trees and proofs. Sizes and path lengths arrive from the network, so every loop over them
/// is bounded by these numbers rather than by what the peer claims.
public enum MerkleLimits {
    /// The largest tree we accept: 2^63 leaves. It keeps every leaf range inside UInt64 without overflow and
    /// every proof at most 64 hashes long.
    public static let maxTreeSize: UInt64 = 1 << 63

    /// No inclusion or consistency proof for a tree of at most `maxTreeSize` leaves is longer than this.
    public static let maxPathLength = 64
}
