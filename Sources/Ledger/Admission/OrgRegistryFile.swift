import Foundation
import YibaoCrypto

/// The org registry a node starts from (docs/requirements.md, Parties: org code, role, SM2 public key), as a JSON file:
///
///     { "orgs": [ { "code": "H46010600001", "role": "hospital", "public_key_pem": "-----BEGIN PUBLIC KEY-----\n…" } ] }
///
/// Applying it registers every org that is new or whose role or key changed — each registration is itself a ledger
/// entry — and leaves the rest alone, so applying the same file at every start writes nothing.
public struct OrgRegistryFile: Sendable {
    public struct Org: Sendable, Equatable {
        public let code: String
        public let role: String
        public let publicKey: SM2PublicKey

        public init(code: String, role: String, publicKey: SM2PublicKey) {
            self.code = code
            self.role = role
            self.publicKey = publicKey
        }
    }

    /// Most orgs one file may name: a registry larger than this is not a configuration file.
    public static let maxOrgs = 10_000

    public let orgs: [Org]

    public init(orgs: [Org]) { self.orgs = orgs }

    /// Reads and checks the whole file before anything is registered; errors name the file, the entry and the field.
    public init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LedgerError(.invalidArgument, "org registry \(path): cannot read: \(error.localizedDescription)")
        }
        let file: FileShape
        do { file = try JSONDecoder().decode(FileShape.self, from: data) } catch {
            throw LedgerError(.invalidArgument, "org registry \(path): not the expected JSON ({\"orgs\": [{code, role, public_key_pem}]}): \(error)")
        }
        guard file.orgs.count <= Self.maxOrgs else {
            throw LedgerError(.invalidArgument, "org registry \(path): \(file.orgs.count) orgs; the limit is \(Self.maxOrgs)")
        }
        var seen = Set<String>()
        orgs = try file.orgs.enumerated().map { i, entry in
            let at = "org registry \(path): orgs[\(i)]"
            do throws(LedgerError) { try BatchAdmission.checkOrgCode(entry.code) } catch {
                throw LedgerError(.invalidArgument, "\(at).code: \(error.message)")
            }
            guard seen.insert(entry.code).inserted else {
                throw LedgerError(.invalidArgument, "\(at).code: \(entry.code) appears twice")
            }
            guard !entry.role.isEmpty, entry.role.utf8.count <= 32 else {
                throw LedgerError(.invalidArgument, "\(at).role: must be 1 to 32 bytes")
            }
            let key: SM2PublicKey
            do { key = try SM2PublicKey(pem: entry.public_key_pem) } catch {
                throw LedgerError(.invalidArgument, "\(at).public_key_pem: not an SM2 public key: \(error)")
            }
            return Org(code: entry.code, role: entry.role, publicKey: key)
        }
    }

    public func write(to path: String) throws {
        let shape = FileShape(orgs: orgs.map { .init(code: $0.code, role: $0.role, public_key_pem: $0.publicKey.pemRepresentation) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(shape).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private struct FileShape: Codable {
        struct Entry: Codable {
            let code: String
            let role: String
            let public_key_pem: String
        }
        let orgs: [Entry]
    }
}

extension Ledger {
    /// Registers the file's orgs that are new or changed; returns the receipts of what it wrote (none when the
    /// ledger already holds the registry as given).
    @discardableResult
    public func apply(_ registry: OrgRegistryFile) async throws -> [Receipt] {
        var receipts: [Receipt] = []
        for org in registry.orgs {
            if let current = self.org(org.code), current.role == org.role, current.publicKey == org.publicKey { continue }
            receipts.append(try await registerOrg(code: org.code, role: org.role, publicKey: org.publicKey))
        }
        return receipts
    }
}
