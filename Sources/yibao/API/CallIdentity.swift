import Foundation
import YibaoClient
import YibaoCrypto
import YibaoRPC

/// Who a call is made for, and how it proves it (the Identity contract: `yibao-org`, `yibao-timestamp`,
/// `yibao-signature-bin`, signed by YibaoClient's `RequestSigner`).
enum CallIdentity {
    /// Mutual TLS: the client certificate names the org; no metadata needed.
    case certificate
    /// Signed calls with the org's SM2 key.
    case signed(org: String, key: SM2PrivateKey)
    /// Only the org code: accepted by a node in development mode (`--dev`) alone.
    case unsigned(org: String)

    static func resolve(_ options: ConnectionOptions, mutualTLS: Bool) throws -> CallIdentity {
        if mutualTLS, options.resolvedOrg == nil { return .certificate }
        guard let org = options.resolvedOrg else {
            throw CLIFailure(.usage, "name the org the call is for: --org CODE (or YIBAO_ORG)")
        }
        var keyPath = options.resolvedKey
        if keyPath == nil, let folder = options.resolvedKeys {
            let candidate = folder + "/" + org + ".pem"
            guard FileManager.default.fileExists(atPath: candidate) else {
                throw CLIFailure(.usage, "no key for org \(org) in \(folder) (looked for \(candidate))")
            }
            keyPath = candidate
        }
        guard let keyPath else {
            if mutualTLS { return .certificate }
            Console.error("yibao: no key for org \(org) (--key or --keys): the call is unsigned, which only a node in --dev mode accepts")
            return .unsigned(org: org)
        }
        do { return .signed(org: org, key: try PrivateKeyFile.load(keyPath)) } catch {
            throw CLIFailure(.usage, "\(error)")
        }
    }

    /// Installs the identity on the client: signed calls sign each attempt afresh with `RequestSigner`.
    func install(in configuration: inout RPCClientConfiguration) {
        switch self {
        case .certificate:
            break
        case .unsigned(let org):
            configuration.callAuthenticator = { _, _ in
                var metadata = GRPCMetadata()
                metadata.add("yibao-org", org)
                return metadata
            }
        case .signed(let org, let key):
            configuration.callAuthenticator = RequestSigner(org: org, privateKey: key).authenticator
        }
    }
}
