import YibaoProtoJSON
import ArgumentParser
import Foundation
import YibaoCrypto
import YibaoProto

/// `yibao proof verify`: an inclusion proof and its signed tree head checked locally, with nothing but SM3, SM2
/// and the node public key the auditor trusts.
struct ProofCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof", abstract: "Check proofs offline.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an inclusion proof and its signed tree head (the JSON `yibao ledger inclusion-proof --json` printed).")

        @Argument(help: "The proof JSON file, or - for stdin.")
        var proofFile: String = "-"
        @Option(help: "The node public key you trust (PEM; the node writes it to <data>/node-public-key.pem).")
        var nodeKey: String
        @Option(help: "Also require the proven leaf to be this transaction hash (hex, from a receipt).")
        var txHash: String?

        func run() throws {
            let trusted = try NodeKeyFile.load(nodeKey)
            let proof: Yibao_V1_GetInclusionProofResponse
            do { proof = try Yibao_V1_GetInclusionProofResponse(json: try RequestInput.read(file: proofFile, body: nil)) } catch let error as ProtoJSONError {
                throw CLIFailure(.usage, "\(proofFile): \(error)")
            }
            let checked = try InclusionProofCheck.check(proof, nodeKey: trusted, expectedTxHash: txHash)
            Console.out(checked)
        }
    }
}

/// The checks of `yibao proof verify`, each failure saying which one.
enum InclusionProofCheck {
    static func check(_ proof: Yibao_V1_GetInclusionProofResponse, nodeKey: SM2PublicKey, expectedTxHash: String?) throws -> String {
        guard let signed = proof.treeHead else {
            throw CLIFailure(.verificationFailed, "the proof carries no signed tree head (tree_head); ask for a proof at a signed size")
        }
        guard let head = TreeHead(signedBytes: signed.signedBytes) else {
            throw CLIFailure(.verificationFailed, "tree_head.signed_bytes is not a signed tree head (\(signed.signedBytes.count) bytes)")
        }
        // The signed bytes are what the node vouches for; the readable fields beside them must say the same.
        guard head.treeSize == signed.treeSize, Int64(bitPattern: head.timestampMs) == signed.timestampMs,
              head.root.bytes == signed.root else {
            throw CLIFailure(.verificationFailed, "tree_head's fields differ from its signed_bytes")
        }
        guard SignedTreeHead(head: head, signature: signed.signature).isValid(for: nodeKey) else {
            throw CLIFailure(.verificationFailed, "the tree head's signature does not verify with the given node key")
        }
        guard head.treeSize == proof.treeSize else {
            throw CLIFailure(.verificationFailed, "the proof is for tree size \(proof.treeSize) but the signed head is for \(head.treeSize)")
        }
        guard let leaf = Digest32(bytes: proof.leafHash) else {
            throw CLIFailure(.verificationFailed, "leaf_hash is \(proof.leafHash.count) bytes; a tx hash is 32")
        }
        if let expectedTxHash, Digest32(hex: expectedTxHash.lowercased()) != leaf {
            throw CLIFailure(.verificationFailed, "the proof is for leaf \(leaf.hex), not for tx \(expectedTxHash)")
        }
        var path: [Digest32] = []
        for (i, node) in proof.path.enumerated() {
            guard let digest = Digest32(bytes: node) else {
                throw CLIFailure(.verificationFailed, "path[\(i)] is \(node.count) bytes; a node hash is 32")
            }
            path.append(digest)
        }
        let inclusion = InclusionProof(leafIndex: proof.ledgerIndex, treeSize: proof.treeSize, path: path)
        guard inclusion.verify(leafHash: leaf, root: head.root) else {
            throw CLIFailure(.verificationFailed,
                             "the audit path does not lead from leaf \(proof.ledgerIndex) to the signed root \(head.root.hex)")
        }
        return """
            OK: entry \(proof.ledgerIndex) (tx \(leaf.hex)) is in the ledger
              tree size \(head.treeSize), root \(head.root.hex), audit path of \(path.count) hashes (SM3, RFC 9162)
              tree head signed by the node key (SM2) at \(Timestamps.text(Int64(bitPattern: head.timestampMs)))
            """
    }
}
