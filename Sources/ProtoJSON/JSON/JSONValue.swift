import Foundation

/// A JSON document with object keys in order (output keeps the proto's field order) and integers kept exact
/// (int64 fen amounts and uint64 ledger indexes must not pass through a Double).
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.unsigned(x), .unsigned(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// Parses a JSON text; the error says where it stopped.
    public init(parsing data: Data) throws {
        self = try JSONDecoder().decode(Parsed.self, from: data).value
    }

    /// Decodable only as a way to reuse Foundation's parser; integers are tried before doubles so they stay exact.
    private struct Parsed: Decodable {
        let value: JSONValue

        init(from decoder: any Decoder) throws {
            if var array = try? decoder.unkeyedContainer() {
                var items: [JSONValue] = []
                while !array.isAtEnd { items.append(try array.decode(Parsed.self).value) }
                value = .array(items)
                return
            }
            if let object = try? decoder.container(keyedBy: AnyKey.self) {
                value = .object(try object.allKeys.map { ($0.stringValue, try object.decode(Parsed.self, forKey: $0).value) }
                    .sorted { $0.0 < $1.0 })
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { value = .null }
            else if let bool = try? single.decode(Bool.self) { value = .bool(bool) }
            else if let integer = try? single.decode(Int64.self) { value = .integer(integer) }
            else if let unsigned = try? single.decode(UInt64.self) { value = .unsigned(unsigned) }
            else if let double = try? single.decode(Double.self) { value = .double(double) }
            else { value = .string(try single.decode(String.self)) }
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
