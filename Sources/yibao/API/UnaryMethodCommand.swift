import YibaoProtoJSON
import ArgumentParser
import Foundation
import YibaoProto

/// The subcommand of a unary method: request JSON in, readable text (or `--json`) out.
struct UnaryMethodCommand<Method: APIMethod>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Method.commandName, abstract: Method.abstract,
                             discussion: "Request: \(Method.Request.jsonShape.fullName) as JSON. Fields: "
                                 + Method.Request.jsonShape.fields.map(\.name).joined(separator: ", ") + ".",
                             aliases: Method.aliases)
    }

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The request JSON file, or - for stdin.")
    var requestFile: String?
    @Option(help: "The request JSON itself, instead of a file.")
    var body: String?
    @Flag(help: "Print the response as JSON (proto field names; bytes base64, 64-bit integers as numbers).")
    var json = false

    func run() async throws {
        let request: Method.Request
        do { request = try Method.Request(json: try RequestInput.read(file: requestFile, body: body)) } catch let error as ProtoJSONError {
            throw CLIFailure(.usage, "request: \(error)")
        }
        let node = try NodeConnection(connection)
        let options = node.callOptions
        let response = try await node.run { try await Method.call(node.client, request, options: options) }
        Console.out(json ? JSONWriter.text(response.json) : ReadableText.render(response.readableJSON))
        let outcome = Method.outcome(of: response)
        if outcome != .ok {
            throw CLIFailure(outcome, "the call succeeded, but some records were refused (see their errors above)")
        }
    }
}
