import Foundation
import YibaoCrypto
import YibaoRPC

/// The signed-call metadata of the Identity contract. (To be replaced by YibaoClient's RequestSigner when it lands.)
enum RequestSigning {
    static func metadata(method: String, org: String, key: SM2PrivateKey, requestBytes: [UInt8]) throws -> GRPCMetadata {
        let timestampMs = UInt64(Date().timeIntervalSince1970 * 1000)
        let message = RequestSigningMessage.bytes(method: method, org: org, timestampMs: timestampMs,
                                                  requestDigest: HashAlgorithm.sm3.hash(requestBytes))
        var metadata = GRPCMetadata()
        metadata.add("yibao-org", org)
        metadata.add("yibao-timestamp", String(timestampMs))
        metadata.add("yibao-signature-bin", bytes: try key.signature(for: message))
        return metadata
    }
}
