import YibaoProtoJSON
import ArgumentParser
import Foundation
import YibaoClient
import YibaoProto
import YibaoRPC

/// `yibao settlement feed`: the FeedSettlements stream, batches in and receipts out, as a hospital feed runs it.
struct FeedSettlementsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed", abstract: "Stream settlement batches to the node and print each batch's receipts as they come back.",
        discussion: "Input: a JSON array of FeedSettlementsRequest objects ({request_id, settlements}), one such object, "
            + "or JSON Lines with one batch per line. With --json, each answer is printed as one JSON line.",
        aliases: ["feed-settlements"])

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The batches file, or - for stdin.")
    var requestFile: String?
    @Flag(help: "Print each batch's answer as one line of JSON.")
    var json = false

    func run() async throws {
        let batches = try Self.readBatches(file: requestFile)
        let node = try NodeConnection(connection)
        let options = node.callOptions
        let refused = try await node.run {
            try await Yibao_V1_SettlementServiceClient(node.client).feedSettlements(options: options, requests: { writer in
                for batch in batches { try await writer.write(batch) }
            }, responses: { responses in
                var refused = 0
                for try await answer in responses {
                    if answer.error != nil || BatchOutcome.of(answer.results) != .ok { refused += 1 }
                    if json {
                        Console.out(JSONWriter.text(answer.json, pretty: false))
                    } else {
                        Console.out(ReadableText.render(answer.readableJSON) + "\n")
                    }
                }
                return refused
            })
        }
        if refused > 0 {
            throw CLIFailure(.recordsRefused, "\(refused) of \(batches.count) batches had refused records or were refused")
        }
    }

    static func readBatches(file: String?) throws -> [Yibao_V1_FeedSettlementsRequest] {
        let values: [JSONValue]
        do {
            switch try RequestInput.read(file: file, body: nil) {
            case .array(let items): values = items
            case let single: values = [single]
            }
        } catch let failure as CLIFailure {
            // Not one JSON document: JSON Lines, one batch per line.
            guard let file, file != "-", let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw failure }
            values = try text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }.enumerated().map { i, line in
                do { return try JSONValue(parsing: Data(line.utf8)) } catch {
                    throw CLIFailure(.usage, "\(file) line \(i + 1) is not JSON: \(JSONErrorText.describe(error))")
                }
            }
        }
        return try values.enumerated().map { i, value in
            do { return try Yibao_V1_FeedSettlementsRequest(json: value) } catch {
                throw CLIFailure(.usage, "batch \(i): \(error)")
            }
        }
    }
}
