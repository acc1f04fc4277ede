/// Custom metadata of a call: ordered key/value pairs, keys lower-case. Keys ending in `-bin` carry bytes,
/// which travel base64-encoded; all other values are printable ASCII.
public struct GRPCMetadata: Sendable, Hashable, Sequence {
    public enum Value: Sendable, Hashable {
        case string(String)
        case binary([UInt8])
    }

    public private(set) var entries: [(key: String, value: Value)] = []

    public init() {}

    public static func == (lhs: GRPCMetadata, rhs: GRPCMetadata) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }

    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> { entries.makeIterator() }

    /// Adds an ASCII value; the key is lower-cased as HTTP/2 requires.
    public mutating func add(_ key: String, _ value: String) {
        entries.append((key.lowercased(), .string(value)))
    }

    /// Adds a binary value; the key must end in `-bin`.
    public mutating func add(_ key: String, bytes: [UInt8]) {
        entries.append((key.lowercased(), .binary(bytes)))
    }

    public func first(_ key: String) -> Value? {
        let key = key.lowercased()
        return entries.first { $0.key == key }?.value
    }

    public func firstString(_ key: String) -> String? {
        if case .string(let text)? = first(key) { return text }
        return nil
    }

    public func firstBytes(_ key: String) -> [UInt8]? {
        if case .binary(let bytes)? = first(key) { return bytes }
        return nil
    }
}

extension GRPCMetadata {
    /// Header names the transport owns; they never reach a handler and a handler cannot set them.
    static func isReserved(_ key: String) -> Bool {
        if key.hasPrefix(":") { return true }
        switch key {
        case "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding",
             "grpc-status", "grpc-message", "grpc-status-details-bin", "connection", "host":
            return true
        default:
            return false
        }
    }

    /// Key characters allowed by the spec: `0-9 a-z _ - .`.
    static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 256 else { return false }
        return key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    /// Builds metadata from request headers; returns nil when a `-bin` value is not base64.
    init?(requestHeaders: [HeaderField]) {
        self.init()
        for field in requestHeaders where !GRPCMetadata.isReserved(field.name) {
            if field.name.hasSuffix("-bin") {
                // A comma joins repeated binary values (PROTOCOL-HTTP2.md); each part is base64 on its own.
                for part in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let bytes = Base64.decode(part.trimmingSpaces()) else { return nil }
                    add(field.name, bytes: bytes)
                }
            } else {
                add(field.name, field.value)
            }
        }
    }

    /// Header fields for the wire. Entries a peer would reject (bad key, control characters) are left out,
    /// so a handler's mistake cannot break the response framing.
    var headerFields: [HeaderField] {
        var fields: [HeaderField] = []
        for entry in entries where GRPCMetadata.isValidKey(entry.key) && !GRPCMetadata.isReserved(entry.key) {
            switch entry.value {
            case .binary(let bytes) where entry.key.hasSuffix("-bin"):
                fields.append(HeaderField(name: entry.key, value: Base64.encode(bytes)))
            case .string(let text) where !entry.key.hasSuffix("-bin")
                && text.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }):
                fields.append(HeaderField(name: entry.key, value: text))
            default:
                continue
            }
        }
        return fields
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// One HTTP/2 header field as nghttp2 hands it over, decoded as UTF-8 text.
struct HeaderField: Sendable, Hashable {
    var name: String
    var value: String
}
