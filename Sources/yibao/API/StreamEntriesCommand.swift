import YibaoProtoJSON
import ArgumentParser
import Foundation
import YibaoClient
import YibaoProto
import YibaoRPC

/// `yibao ledger stream`: entries from an index on, then live as they commit.
struct StreamEntriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream", abstract: "Print ledger entries from an index on, then new ones as they commit (Ctrl-C ends).",
        aliases: ["stream-entries"])

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "The first ledger index to send.")
    var from: UInt64 = 0
    @Option(help: "Stop after this many entries (default: follow until interrupted).")
    var limit: Int?
    @Flag(help: "Print each entry as one line of JSON.")
    var json = false

    func run() async throws {
        var request = Yibao_V1_StreamEntriesRequest()
        request.fromIndex = from
        let node = try NodeConnection(connection)
        var options = node.callOptions
        if connection.timeout == nil, ProcessInfo.processInfo.environment["YIBAO_TIMEOUT"] == nil { options.timeout = nil }
        let limit = self.limit, json = self.json
        try await node.run {
            try await Yibao_V1_LedgerServiceClient(node.client).streamEntries(request, options: options) { entries in
                var count = 0
                if !json { Console.out("index  kind  org  request_id  position  committed  tx_hash") }
                for try await entry in entries {
                    if json {
                        Console.out(JSONWriter.text(entry.json, pretty: false))
                    } else {
                        Console.out("\(entry.ledgerIndex)  \(entry.kindName.isEmpty ? String(entry.kind) : entry.kindName)  "
                                    + "\(entry.org.isEmpty ? "-" : entry.org)  \(entry.requestId.isEmpty ? "-" : entry.requestId)  "
                                    + "\(entry.position)  \(Timestamps.text(entry.commitTimeMs))  \(entry.txHash.map { String(format: "%02x", $0) }.joined())")
                    }
                    count += 1
                    if let limit, count >= limit { break }
                }
            }
        }
    }
}
