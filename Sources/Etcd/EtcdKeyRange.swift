/// A key or a range of keys as etcd reads them: `[key, end)`, where an empty `end` means `key` alone and
/// `[0]` means every key from `key` on.
public struct EtcdKeyRange: Sendable, Hashable {
    public var key: [UInt8]
    public var end: [UInt8]

    public init(key: [UInt8], end: [UInt8]) {
        self.key = key
        self.end = end
    }

    /// `key` alone.
    public static func key(_ key: [UInt8]) -> EtcdKeyRange { EtcdKeyRange(key: key, end: []) }

    /// Every key starting with `prefix` (an empty prefix: every key).
    public static func prefix(_ prefix: [UInt8]) -> EtcdKeyRange {
        EtcdKeyRange(key: prefix.isEmpty ? [0] : prefix, end: prefixEnd(prefix))
    }

    /// Every key from `key` on.
    public static func from(_ key: [UInt8]) -> EtcdKeyRange { EtcdKeyRange(key: key, end: [0]) }

    /// The first key after every key starting with `prefix`: the prefix without its trailing 0xFF bytes, its last
    /// byte incremented. A prefix of only 0xFF bytes (or none) has no such key: `[0]`, "to the end".
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}
