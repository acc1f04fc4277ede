/// A tree head as the log signs it: size, time and root. The signed form is fixed-width and labelled, so it
/// parses without length fields and a signature over it can never be mistaken for a signature over other data.
public struct TreeHead: Hashable, Sendable {
    /// "yibao-sth-v1": 12 ASCII bytes that open every signed tree head; a new layout gets a new label.
    public static let signingLabel: [UInt8] = Array("yibao-sth-v1".utf8)
    /// label (12) ‖ tree_size (8, big-endian) ‖ timestamp_ms (8, big-endian) ‖ root (32).
    public static let signedByteCount = 60

    public let treeSize: UInt64
    public let timestampMs: UInt64
    public let root: Digest32

    public init(treeSize: UInt64, timestampMs: UInt64, root: Digest32) {
        self.treeSize = treeSize
        self.timestampMs = timestampMs
        self.root = root
    }

    /// The exact bytes an SM2 signature covers.
    public var signedBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(TreeHead.signedByteCount)
        out += TreeHead.signingLabel
        appendBigEndian(treeSize, to: &out)
        appendBigEndian(timestampMs, to: &out)
        out += root.bytes
        return out
    }

    /// Parses `signedBytes`; nil unless the input is exactly 60 bytes opening with the label.
    public init?(signedBytes: some Collection<UInt8>) {
        guard signedBytes.count == TreeHead.signedByteCount else { return nil }
        let bytes = Array(signedBytes)
        guard bytes[0..<12].elementsEqual(TreeHead.signingLabel),
              let root = Digest32(bytes: bytes[28..<60]) else { return nil }
        self.init(treeSize: readBigEndian(bytes[12..<20]), timestampMs: readBigEndian(bytes[20..<28]), root: root)
    }
}

private func appendBigEndian(_ value: UInt64, to out: inout [UInt8]) {
    for shift in stride(from: 56, through: 0, by: -8) {
        out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
    }
}

private func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.reduce(0) { $0 << 8 | UInt64($1) }
}
