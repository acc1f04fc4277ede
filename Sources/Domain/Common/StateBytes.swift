import YibaoCrypto
import YibaoLedger

/// Raw reads, writes and prefix scans of state databases inside one transaction, for every state store. Every read copies out of LMDB's map at once: a later write in the same transaction may move the page.
struct StateBytes {
    let state: StateTransaction

    func get(_ db: String, _ key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { k in try state.txn.get(state.database(db), key: k).map { Array($0) } }
    }

    func put(_ db: String, _ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try state.txn.put(state.database(db), key: k, value: v) } }
    }

    func delete(_ db: String, _ key: [UInt8]) throws {
        _ = try key.withUnsafeBytes { k in try state.txn.delete(state.database(db), key: k) }
    }

    /// Calls `body` with the key bytes after `prefix` and the value, for keys that start with `prefix`, from
    /// `start` (default: the prefix), at most `limit` of them.
    func scan(_ db: String, prefix: [UInt8], from start: [UInt8]? = nil, limit: Int,
              _ body: ([UInt8], [UInt8]) throws -> Void) throws {
        var seen = 0
        try (start ?? prefix).withUnsafeBytes { startKey in
            try prefix.withUnsafeBytes { within in
                try state.txn.forEach(state.database(db), from: startKey, within: within) { key, value in
                    guard seen < limit else { return false }
                    seen += 1
                    try body(Array(key[prefix.count...]), Array(value))
                    return true
                }
            }
        }
    }

    static func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    static func u64(from bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Stored state that does not decode is damage, not a refusal: `dataLoss` fails the whole batch that read it.
    /// `what` is only worked out for that message: the writer decodes state for nearly every record.
    static func decoded<T>(_ what: @autoclosure () -> String, _ decode: () throws(FormatError) -> T) throws -> T {
        do {
            return try decode()
        } catch {
            throw LedgerError(.dataLoss, "state: \(what()) does not decode: \(error)")
        }
    }
}
