import YibaoProtoJSON
import Foundation

/// Where a request's JSON comes from: `--body` text, a file, or stdin (`-`, or a pipe when no file is named).
enum RequestInput {
    static func read(file: String?, body: String?) throws -> JSONValue {
        let data: Data
        let source: String
        if let body {
            guard file == nil else { throw CLIFailure(.usage, "give the request as a file or as --body, not both") }
            data = Data(body.utf8)
            source = "--body"
        } else if let file, file != "-" {
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw CLIFailure(.usage, "cannot read \(file): \(error.localizedDescription)")
            }
            source = file
        } else {
            guard file == "-" || isatty(STDIN_FILENO) == 0 else {
                throw CLIFailure(.usage, "give the request JSON as a file, as - for stdin, or with --body '{…}'")
            }
            data = FileHandle.standardInput.readDataToEndOfFile()
            source = "stdin"
        }
        do { return try JSONValue(parsing: data) } catch {
            throw CLIFailure(.usage, "\(source) is not JSON: \(JSONErrorText.describe(error))")
        }
    }
}

/// Foundation's JSON errors carry their useful part in the debug description of the underlying error.
enum JSONErrorText {
    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
        }
        return "\(error)"
    }
}
