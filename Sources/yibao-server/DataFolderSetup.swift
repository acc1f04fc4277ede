import Foundation
import YibaoCrypto
import YibaoLedger

/// What the node needs from its data folder before it opens the ledger: the node key (created on the first
/// start), and the org registry to apply (the configured one, or the development registry it creates on the
/// first start of a node that was given none). Runs under the folder's lock, so a second node touches nothing.
struct DataFolderSetup {
    static let nodeKeyFileName = "node-key.pem"
    static let nodePublicKeyFileName = "node-public-key.pem"
    /// The store's LMDB file; its absence is what "first start" means.
    static let storeFileName = "data.mdb"

    let nodeKey: SM2PrivateKey
    let nodeKeyCreated: Bool
    /// The registry file the node applies at start, if any.
    let orgRegistryPath: String?
    /// True when that registry is the generated development one.
    let usesDevelopmentRegistry: Bool
    let developmentRegistryCreated: Bool

    static func prepare(settings: NodeSettings) throws -> DataFolderSetup {
        let folder = settings.dataDirectory
        let files = FileManager.default
        try files.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try DataFolderLock.whileHeld(directory: folder) {
            let firstStart = !files.fileExists(atPath: folder + "/" + storeFileName)
            let (nodeKey, created) = try loadOrCreateNodeKey(folder: folder, firstStart: firstStart)

            let devFolder = folder + "/" + DevelopmentOrgs.folderName
            let devRegistry = devFolder + "/" + DevelopmentOrgs.registryFileName
            if let configured = settings.orgRegistry {
                return DataFolderSetup(nodeKey: nodeKey, nodeKeyCreated: created, orgRegistryPath: configured,
                                       usesDevelopmentRegistry: false, developmentRegistryCreated: false)
            }
            var devCreated = false
            if firstStart, !files.fileExists(atPath: devFolder) {
                try createDevelopmentOrgs(in: devFolder)
                devCreated = true
            }
            let useDev = files.fileExists(atPath: devRegistry)
            return DataFolderSetup(nodeKey: nodeKey, nodeKeyCreated: created, orgRegistryPath: useDev ? devRegistry : nil,
                                   usesDevelopmentRegistry: useDev, developmentRegistryCreated: devCreated)
        }
    }

    /// The node's SM2 key (`node-key.pem`, 0600). Created only on a first start: a store whose key file is gone
    /// must get its own key back (its genesis entry names it), not a new one.
    private static func loadOrCreateNodeKey(folder: String, firstStart: Bool) throws -> (SM2PrivateKey, Bool) {
        let path = folder + "/" + nodeKeyFileName
        let key: SM2PrivateKey
        let created: Bool
        if FileManager.default.fileExists(atPath: path) {
            key = try PrivateKeyFile.load(path)
            created = false
        } else {
            guard firstStart else {
                throw SettingsError("\(path) is missing but \(folder) already holds a ledger; restore the node key "
                                    + "(the ledger's genesis entry names its public key)")
            }
            key = SM2PrivateKey()
            try PrivateKeyFile.write(key, to: path)
            created = true
        }
        // The public half, for auditors and `yibao proof verify --node-key`; rewritten each start, never secret.
        try key.publicKey.pemRepresentation.write(toFile: folder + "/" + nodePublicKeyFileName, atomically: true, encoding: .utf8)
        return (key, created)
    }

    private static func createDevelopmentOrgs(in devFolder: String) throws {
        try FileManager.default.createDirectory(atPath: devFolder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var registry: [OrgRegistryFile.Org] = []
        for org in DevelopmentOrgs.orgs {
            let key = SM2PrivateKey()
            try PrivateKeyFile.write(key, to: devFolder + "/" + DevelopmentOrgs.keyFileName(org.code))
            registry.append(.init(code: org.code, role: org.role, publicKey: key.publicKey))
        }
        try OrgRegistryFile(orgs: registry).write(to: devFolder + "/" + DevelopmentOrgs.registryFileName)
        try DevelopmentOrgs.readme.write(toFile: devFolder + "/README.txt", atomically: true, encoding: .utf8)
    }
}
