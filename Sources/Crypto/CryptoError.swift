import COpenSSL

/// A failure inside the crypto layer, with OpenSSL's own reason where it gave one.
public struct CryptoError: Error, CustomStringConvertible, Equatable, Sendable {
    public let operation: String
    public let detail: String

    public init(_ operation: String, detail: String = CryptoError.drainOpenSSLErrors()) {
        self.operation = operation
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? operation : "\(operation): \(detail)" }

    /// Empties OpenSSL's thread-local error queue, so one failure never leaks into the next call's report.
    public static func drainOpenSSLErrors() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.joined(separator: "; ")
    }
}
