/// What every generated message offers: a value with proto3 defaults, a bounded decode and an encode.
public protocol ProtoMessage: Sendable, Equatable {
    init()
    init(decoding bytes: [UInt8], maxSize: Int) throws(ProtoDecodingError)
    func encoded() -> [UInt8]
}
