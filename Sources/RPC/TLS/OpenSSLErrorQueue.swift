import COpenSSL

/// OpenSSL's per-thread error queue. Drained after every failure, so one connection's errors never show up
/// as another's reasons on the same event loop thread.
enum OpenSSLErrorQueue {
    /// At most this many reasons are kept; the rest are discarded.
    static let maxReasons = 8

    static func drain() -> [String] {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            guard reasons.count < maxReasons else { continue }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons
    }
}
