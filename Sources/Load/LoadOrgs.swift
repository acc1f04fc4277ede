import Foundation
import YibaoCrypto
import YibaoDomain
import YibaoLedger
import YibaoLoadSupport

/// The orgs a load test acts for: the invoice platform, the bureau (region 46) and the workload's hospitals.
/// `write` creates a node's org registry file for them (`yibao-server --org-registry`) and one private key
/// per org (`keys/<code>.pem`) for signed calls.
public enum LoadOrgs {
    public static func registry(hospitals: Int, keysDirectory: String?) throws -> OrgRegistryFile {
        var orgs: [(String, String)] = [
            (SyntheticWorkload.platformOrg, DomainCaller.roleName(.invoicePlatform)),
            (SyntheticWorkload.bureauOrg, DomainCaller.roleName(.insuranceBureau, region: SyntheticWorkload.bureauRegion)),
        ]
        orgs += (0..<hospitals).map { (SyntheticWorkload.hospitalCode($0), DomainCaller.roleName(.hospital)) }
        if let keysDirectory {
            try FileManager.default.createDirectory(atPath: keysDirectory, withIntermediateDirectories: true)
        }
        return OrgRegistryFile(orgs: try orgs.map { code, role in
            let key = SM2PrivateKey()
            if let keysDirectory {
                try key.pemRepresentation.write(toFile: "\(keysDirectory)/\(code).pem", atomically: true, encoding: .utf8)
            }
            return OrgRegistryFile.Org(code: code, role: role, publicKey: key.publicKey)
        })
    }

    /// `directory/orgs.json` and `directory/keys/*.pem`; returns the registry's path.
    @discardableResult
    public static func write(to directory: String, hospitals: Int) throws -> String {
        let registry = try registry(hospitals: hospitals, keysDirectory: directory + "/keys")
        let path = directory + "/orgs.json"
        try registry.write(to: path)
        return path
    }
}
