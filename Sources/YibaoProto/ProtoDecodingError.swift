/// Why bytes did not become a message. protobuf-c reports only success or failure, so `malformed` says which
/// message and how many bytes, not which byte.
public enum ProtoDecodingError: Error, Equatable, CustomStringConvertible {
    /// Refused before unpacking: the input is over the caller's limit.
    case tooLarge(messageType: String, size: Int, limit: Int)
    /// protobuf-c refused the bytes (bad tag, truncated length, wrong wire type, invalid UTF-8, ...).
    case malformed(messageType: String, size: Int)

    public var description: String {
        switch self {
        case .tooLarge(let type, let size, let limit): "\(type): \(size) bytes is over the \(limit)-byte limit"
        case .malformed(let type, let size): "\(type): \(size) bytes are not a valid encoding"
        }
    }
}
