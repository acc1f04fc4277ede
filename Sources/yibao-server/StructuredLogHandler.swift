import Foundation
import Logging

/// swift-log handler writing one line per event to stderr, as logfmt (`time=… level=info msg="…" key=value`) or
/// as a JSON object, so that log shippers parse it without guessing. Lines are written with one `write(2)`, so
/// lines from concurrent tasks never interleave.
struct StructuredLogHandler: LogHandler {
    let label: String
    let format: NodeSettings.LogFormat
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [("time", Self.timestamp()), ("level", event.level.rawValue),
                                          ("logger", label), ("msg", event.message.description)]
        if let error = event.error { fields.append(("error", String(describing: error))) }
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        for key in merged.keys.sorted() { fields.append((key, merged[key]!.description)) }
        let text = format == .json ? Self.json(fields) : Self.logfmt(fields)
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// logfmt: bare values when they are plain, otherwise quoted with `"` and `\` escaped.
    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "=" && $0 != "\\"
            }
            return "\(key)=" + (plain ? value : quoted(value))
        }.joined(separator: " ")
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal (also valid logfmt quoting), by Foundation's encoder.
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
