/// `host:port` the node listens on; `[::1]:50051` for an IPv6 literal. Port 0 asks the kernel for a free port.
struct ListenAddress: Equatable, CustomStringConvertible {
    var host: String
    var port: Int

    static let standard = ListenAddress(host: "127.0.0.1", port: 50051)

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; the error names what is wrong so settings errors can say which setting it came from.
    init(parsing text: String) throws(SettingsError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw SettingsError("'\(text)' is not host:port (e.g. 127.0.0.1:50051)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw SettingsError("'\(text)' has no host (e.g. 127.0.0.1:50051)") }
        guard let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw SettingsError("'\(text)': the port must be a number from 0 to 65535")
        }
        self.init(host: host, port: port)
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
