import YibaoProto

extension ProtoMessage {
    public static var jsonShape: ProtoMessageShape { ProtoMessageShape(protobufCDescriptor) }

    /// The message a JSON request describes; JSON that does not fit names the field, and what the generated
    /// decoder refuses (a string that is not UTF-8, ...) is refused with its message.
    public init(json: JSONValue) throws(ProtoJSONError) {
        let bytes = try ProtoJSONEncoding.encode(json, as: Self.jsonShape)
        do { try self.init(decoding: bytes, maxSize: max(bytes.count, 1)) } catch {
            throw ProtoJSONError(path: "", problem: "not a valid \(Self.jsonShape.fullName): \(error)")
        }
    }

    /// Every field under its proto name (see `ProtoJSONDecoding`).
    public var json: JSONValue { json(style: .json) }

    /// For tables: bytes in hex, enums by short name.
    public var readableJSON: JSONValue { json(style: .readable) }

    private func json(style: ProtoJSONDecoding.Style) -> JSONValue {
        // The bytes come from the generated encoder, so they always fit the descriptor they were encoded from.
        (try? ProtoJSONDecoding.decode(encoded(), as: Self.jsonShape, style: style)) ?? .object([])
    }
}
