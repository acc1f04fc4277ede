import YibaoProtoJSON
import ArgumentParser
import Foundation
import YibaoCrypto

/// `yibao keys`: SM2 keys for orgs, as PEM.
struct KeysCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Generate an org's SM2 key pair; print public keys and registry entries.",
        subcommands: [Generate.self, Public.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new SM2 private key (PEM, mode 600) and print its public key.")

        @Option(name: .shortAndLong, help: "Where to write the private key (refused if it exists).")
        var out: String

        func run() throws {
            let key = SM2PrivateKey()
            do { try PrivateKeyFile.write(key, to: out) } catch { throw CLIFailure(.usage, "\(error)") }
            Console.out(key.publicKey.pemRepresentation.trimmingCharacters(in: .newlines))
            Console.error("wrote the private key to \(out) (mode 600); the public key is above")
        }
    }

    struct Public: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public key of a private (or public) key PEM; with --org and --role, as an org registry entry.")

        @Argument(help: "A PEM file: an SM2 private key or public key.")
        var keyFile: String
        @Option(help: "Org code: print a registry entry {code, role, public_key_pem} instead of the PEM.")
        var org: String?
        @Option(help: "The org's role for the registry entry (hospital, invoice_platform, insurance_bureau:4601, ...).")
        var role: String?

        func run() throws {
            let text: String
            do { text = try String(contentsOfFile: keyFile, encoding: .utf8) } catch {
                throw CLIFailure(.usage, "cannot read \(keyFile): \(error.localizedDescription)")
            }
            let publicKey: SM2PublicKey
            if let key = try? SM2PrivateKey(pem: text) {
                publicKey = key.publicKey
            } else if let key = try? SM2PublicKey(pem: text) {
                publicKey = key
            } else {
                throw CLIFailure(.usage, "\(keyFile) holds no SM2 private or public key in PEM")
            }
            switch (org, role) {
            case (nil, nil):
                Console.out(publicKey.pemRepresentation.trimmingCharacters(in: .newlines))
            case let (org?, role?):
                Console.out(JSONWriter.text(.object([("code", .string(org)), ("role", .string(role)),
                                                     ("public_key_pem", .string(publicKey.pemRepresentation))])))
            default:
                throw CLIFailure(.usage, "a registry entry needs both --org and --role")
            }
        }
    }
}
