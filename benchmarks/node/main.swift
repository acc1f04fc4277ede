import Foundation
import Logging
import YibaoCrypto
import YibaoServer

// yibao-bench-node --data DIR --registry FILE [--port P] [--no-fsync]: a LedgerNode in development identity for
// the benchmark suite, on 127.0.0.1 (port 0: a free one). Prints "listening <port>" once bound and shuts down
// gracefully on SIGTERM or SIGINT. The suite starts this rather than yibao-server so that it depends on the
// library assembly only, not on the CLI's flags.

var options: [String: String] = [:]
var durable = true
var arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: yibao-bench-node --data DIR --registry FILE [--port P] [--no-fsync] [--handler-threads N (0: on the RPC event loops)] [--tree-head-interval-ms N]\n"
while let flag = arguments.first {
    arguments.removeFirst()
    if flag == "--no-fsync" { durable = false; continue }
    guard flag.hasPrefix("--"), let value = arguments.first else { FileHandle.standardError.write(Data(usage.utf8)); exit(2) }
    arguments.removeFirst()
    options[String(flag.dropFirst(2))] = value
}
guard let data = options["data"], let registry = options["registry"] else { FileHandle.standardError.write(Data(usage.utf8)); exit(2) }

var configuration = NodeConfiguration(dataDirectory: data, nodeKey: SM2PrivateKey())
configuration.port = Int(options["port"] ?? "0") ?? 0
configuration.orgRegistryPath = registry
configuration.developmentMode = true
configuration.durable = durable
if let threads = options["handler-threads"].flatMap(Int.init) { configuration.handlerThreads = threads }
if let interval = options["tree-head-interval-ms"].flatMap(Int.init) { configuration.ledger.treeHeadInterval = .milliseconds(interval) }
var logger = Logger(label: "yibao.bench-node")
logger.logLevel = .warning
configuration.logger = logger
let node = try await LedgerNode.start(configuration)
// Unbuffered: the suite reads this line from a pipe.
FileHandle.standardOutput.write(Data("listening \(node.port)\n".utf8))

// SIGTERM or SIGINT: shut down in order (the ledger commits what is queued), then exit.
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let (signals, received) = AsyncStream<Int32>.makeStream()
let sources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { received.yield(number) }
    source.resume()
    return source
}
for await _ in signals { break }
await node.shutdown()
withExtendedLifetime(sources) {}
