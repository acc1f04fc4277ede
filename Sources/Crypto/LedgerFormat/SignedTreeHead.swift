/// A tree head with the node's SM2 signature over exactly `TreeHead.signedBytes`. Anyone with an SM2/SM3
/// library and the node's public key can check it. Stored as the 60 signed bytes followed by the DER signature.
public struct SignedTreeHead: Sendable, Equatable, CustomStringConvertible {
    public let head: TreeHead
    public let signature: [UInt8]

    public init(head: TreeHead, signature: [UInt8]) {
        self.head = head
        self.signature = signature
    }

    public static func signing(_ head: TreeHead, with key: SM2PrivateKey) throws -> SignedTreeHead {
        SignedTreeHead(head: head, signature: try key.signature(for: head.signedBytes))
    }

    public func isValid(for nodeKey: SM2PublicKey) -> Bool {
        nodeKey.isValidSignature(signature, for: head.signedBytes)
    }

    public var encoded: [UInt8] { head.signedBytes + signature }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(FormatError) {
        guard bytes.count > TreeHead.signedByteCount,
              let head = TreeHead(signedBytes: bytes.prefix(TreeHead.signedByteCount)) else {
            throw FormatError("a signed tree head needs 60 head bytes and a signature, got \(bytes.count) bytes")
        }
        self.head = head
        self.signature = Array(bytes.dropFirst(TreeHead.signedByteCount))
    }

    public var description: String {
        "size=\(head.treeSize) time=\(head.timestampMs) root=\(head.root.hex)"
    }
}
