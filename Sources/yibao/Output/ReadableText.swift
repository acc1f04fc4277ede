import YibaoProtoJSON
import YibaoRPC

/// Any response as text for people, from its readable JSON: `name: value` lines (aligned), nested messages
/// indented, lists of messages as tables with dotted column names (`receipt.ledger_index`). Times in `*_ms`
/// fields get their ISO 8601 form; a `RecordError` code its status name.
enum ReadableText {
    static func render(_ value: JSONValue) -> String {
        var lines: [String] = []
        append(value, indent: "", into: &lines)
        return lines.joined(separator: "\n")
    }

    private static func append(_ value: JSONValue, indent: String, into lines: inout [String]) {
        guard case .object(let pairs) = value else {
            lines.append(indent + scalarText(value, key: ""))
            return
        }
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, item) in pairs {
            let label = indent + (key + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0)
            switch item {
            case .object(let inner) where inner.isEmpty:
                lines.append(label + " -")
            case .object:
                lines.append(indent + key + ":")
                append(item, indent: indent + "  ", into: &lines)
            case .array(let items) where items.isEmpty:
                lines.append(label + " (none)")
            case .array(let items):
                if items.allSatisfy({ if case .object = $0 { return true } else { return false } }) {
                    lines.append(indent + key + ": \(items.count)")
                    lines.append(contentsOf: table(items).map { indent + "  " + $0 })
                } else {
                    lines.append(label + " " + items.map { scalarText($0, key: key) }.joined(separator: ", "))
                }
            default:
                lines.append(label + " " + scalarText(item, key: key, withISOTime: true))
            }
        }
    }

    /// Rows of flattened objects under a header; `#` numbers them from 0 (the position in a batch).
    static func table(_ items: [JSONValue]) -> [String] {
        let rows = items.map { flatten($0, prefix: "") }
        var columns: [String] = []
        for row in rows { for (key, _) in row where !columns.contains(key) { columns.append(key) } }
        let header = ["#"] + columns
        let cells = rows.enumerated().map { index, row in
            [String(index)] + columns.map { column in row.first { $0.0 == column }?.1 ?? "" }
        }
        let widths = header.indices.map { i in max(header[i].count, cells.map { $0[i].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            values.enumerated().map { i, v in v.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }
        return [line(header)] + cells.map(line)
    }

    private static func flatten(_ value: JSONValue, prefix: String) -> [(String, String)] {
        guard case .object(let pairs) = value else { return [(prefix.isEmpty ? "value" : prefix, scalarText(value, key: prefix))] }
        var out: [(String, String)] = []
        for (key, item) in pairs {
            let path = prefix.isEmpty ? key : prefix + "." + key
            switch item {
            case .object: out += flatten(item, prefix: path)
            case .array(let items): out.append((path, items.map { scalarText($0, key: path) }.joined(separator: " ")))
            default: out.append((path, scalarText(item, key: path)))
            }
        }
        return out
    }

    private static func scalarText(_ value: JSONValue, key: String, withISOTime: Bool = false) -> String {
        switch value {
        case .null: return "-"
        case .bool(let b): return b ? "yes" : "no"
        case .integer(let i):
            if key == "error.code" || key.hasSuffix(".error.code"), let code = GRPCStatus.Code(rawValue: Int(i)) {
                return code.canonicalName
            }
            if key.hasSuffix("_ms"), i != 0 { return withISOTime ? "\(i) (\(Timestamps.text(i)))" : Timestamps.text(i) }
            return String(i)
        case .unsigned(let u): return String(u)
        case .double(let d): return "\(d)"
        case .string(let s): return s.isEmpty ? "-" : s
        case .array(let items): return items.map { scalarText($0, key: key) }.joined(separator: " ")
        case .object: return JSONWriter.text(value, pretty: false)
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
