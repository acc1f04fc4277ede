import Foundation
import Logging
import YibaoCrypto
import YibaoLedger
import YibaoRPC
import YibaoServer

/// A start that cannot go on, with the message an operator needs (printed and logged; exit 1).
struct NodeStartFailure: Error {
    let message: String
}

/// Prepares the data folder, starts a `LedgerNode` with the resolved settings, waits for SIGINT/SIGTERM and
/// shuts down gracefully (GOAWAY, in-flight calls finish within the grace period, the ledger commits its queue).
struct NodeLauncher {
    let settings: NodeSettings
    let log: Logger

    func run() async throws {
        let signals = ShutdownSignals()
        let folder = settings.dataDirectory
        let setup: DataFolderSetup
        do {
            setup = try DataFolderSetup.prepare(settings: settings)
        } catch where DataFolderLock.isHeld(error, directory: folder) {
            throw Self.folderInUse(folder)
        } catch {
            throw NodeStartFailure(message: "cannot prepare the data folder \(folder): \(Self.reason(error))")
        }
        if setup.nodeKeyCreated {
            log.notice("created the node key", metadata: ["path": "\(folder)/\(DataFolderSetup.nodeKeyFileName)"])
        }
        if setup.usesDevelopmentRegistry {
            log.warning("DEVELOPMENT ORG REGISTRY: the demo orgs in \(folder)/\(DevelopmentOrgs.folderName) (private keys in plain files) can write to this ledger; start with --org-registry for real orgs")
        }

        let standard = NodeStandardServices()
        let node: LedgerNode
        do {
            var configuration = try nodeConfiguration(nodeKey: setup.nodeKey, registry: setup.orgRegistryPath)
            configuration.health = standard.health
            node = try await LedgerNode.start(configuration, standardServices: standard.register)
        } catch where DataFolderLock.isHeld(error, directory: folder) {
            throw Self.folderInUse(folder)
        } catch let error as LedgerError {
            throw NodeStartFailure(message: "cannot start: \(error.message)")
        } catch let damage as LMDBFileCheck.Damage {
            throw NodeStartFailure(message: "cannot open the store: \(damage)")
        } catch let error as LMDBError {
            throw NodeStartFailure(message: "cannot open the store in \(folder): \(error); its data.mdb is damaged "
                                   + "(check it with `yibao verify --data \(folder)`)")
        } catch let error as TLSError {
            throw NodeStartFailure(message: "cannot start TLS: \(error)")
        } catch where "\(error)".contains("Address already in use") {
            throw NodeStartFailure(message: "cannot listen on \(settings.listen): another process is listening there; "
                                   + "stop it or choose another address with --listen")
        } catch {
            throw NodeStartFailure(message: "cannot start on \(settings.listen): \(error)")
        }
        if setup.usesDevelopmentRegistry {
            Console.banner(DevelopmentOrgs.usage(folder: folder, listen: ListenAddress(host: settings.listen.host, port: node.port),
                                                 development: settings.development))
        }

        for await signal in signals.requests {
            log.notice("shutdown requested", metadata: ["signal": "\(ShutdownSignals.name(signal))",
                                                        "grace_seconds": "\(settings.shutdownGraceSeconds)"])
            break
        }
        standard.health.shutDown()  // NOT_SERVING first, so load balancers move away before the GOAWAY
        await node.shutdown()
    }

    func nodeConfiguration(nodeKey: SM2PrivateKey, registry: String?) throws -> NodeConfiguration {
        var configuration = NodeConfiguration(dataDirectory: settings.dataDirectory, nodeKey: nodeKey)
        configuration.host = settings.listen.host
        configuration.port = settings.listen.port
        configuration.orgRegistryPath = registry
        configuration.developmentMode = settings.development
        configuration.durable = settings.durability == .fsync
        configuration.rpc.maxMessageSize = settings.maxMessageBytes
        configuration.rpc.maxConcurrentStreams = UInt32(settings.maxConcurrentStreams)
        configuration.rpc.maxConnections = settings.maxConnections
        configuration.rpc.maxConnectionsPerAddress = settings.maxConnectionsPerAddress
        configuration.rpc.connectionResponseBufferLimit = settings.connectionBufferBytes
        configuration.rpc.serverResponseBufferLimit = settings.serverBufferBytes
        configuration.rpc.prefaceTimeout = .milliseconds(Int64(settings.prefaceTimeoutMs))
        configuration.rpc.idleTimeout = .seconds(Int64(settings.idleTimeoutSeconds))
        configuration.rpc.shutdownGracePeriod = .seconds(Int64(settings.shutdownGraceSeconds))
        configuration.ledger.maxRecordsPerBatch = settings.maxBatchRecords
        configuration.ledger.treeHeadInterval = .milliseconds(settings.treeHeadIntervalMs)
        configuration.ledger.startCheck = settings.verifyOnStart
        configuration.logger = log
        if let metrics = settings.metricsListen {
            configuration.metricsHost = metrics.host
            configuration.metricsPort = metrics.port
        }
        if let certificate = settings.tlsCertificate, let key = settings.tlsKey {
            var tls = TLSConfiguration(certificateChain: .file(certificate), privateKey: .file(key),
                                       clientCA: settings.tlsClientCA.map { .file($0) },
                                       clientAuthentication: settings.tlsClientCA == nil ? .none : .required)
            let tlsLog = Logger(label: "yibao.tls")
            tls.log = { line in tlsLog.warning("\(line)") }
            configuration.tls = tls
        }
        return configuration
    }

    private static func folderInUse(_ folder: String) -> NodeStartFailure {
        NodeStartFailure(message: "another node is already running on the data folder \(folder) (it holds \(folder)/node.lock). "
                         + "Stop that node first, or give this one its own folder with --data.")
    }

    /// A Foundation file error prints as its whole NSError dump, and its own sentence can be as vague as "error
    /// 512"; the operating system's reason (not a directory, permission denied, ...) is what an operator acts on.
    private static func reason(_ error: any Error) -> String {
        if let cause = (error as NSError).userInfo[NSUnderlyingErrorKey] as? POSIXError {
            return String(cString: strerror(cause.code.rawValue))
        }
        return (error as? CocoaError)?.localizedDescription ?? "\(error)"
    }
}
