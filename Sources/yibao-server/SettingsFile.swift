import Foundation

/// The optional config file: one `key = value` per line, `#` starts a comment, blank lines are ignored, values
/// may be wrapped in double quotes. Keys are the environment variable names without `YIBAO_`, in lower case
/// (`listen`, `data`, `tls_cert`, ...). An unknown key or a repeated key is an error naming the line, so a typo
/// cannot silently fall back to a default.
struct SettingsFile {
    /// Value and where it came from (`file:line`), by key.
    private(set) var values: [String: (value: String, origin: String)] = [:]

    init(path: String, knownKeys: Set<String>) throws(SettingsError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SettingsError("config file \(path): cannot read it: \(error.localizedDescription)")
        }
        try self.init(text: text, path: path, knownKeys: knownKeys)
    }

    init(text: String, path: String, knownKeys: Set<String>) throws(SettingsError) {
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(path):\(offset + 1)"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw SettingsError("\(origin): expected 'key = value', got '\(line.prefix(80))'")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard knownKeys.contains(key) else {
                throw SettingsError("\(origin): unknown key '\(key)'; known keys: \(knownKeys.sorted().joined(separator: ", "))")
            }
            guard values[key] == nil else { throw SettingsError("\(origin): '\(key)' is set twice") }
            values[key] = (value, origin)
        }
    }
}
