import CProtobufC

/// A generated message's link to the struct protoc-c generated for it. Internal: C types stay out of the public API.
protocol ProtoCBridged: ProtoMessage {
    associatedtype CMessage
    static var protoName: String { get }
    static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    static func initializeCMessage(_ c: UnsafeMutablePointer<CMessage>)
    /// Copies every field out of a message protobuf-c unpacked (or that `allocateCMessage` built).
    init(cMessage c: UnsafePointer<CMessage>)
    /// Sets every field of an initialized C message, allocating with malloc exactly as unpack would, so that
    /// `protobuf_c_message_free_unpacked` frees it all.
    func fillCMessage(_ c: UnsafeMutablePointer<CMessage>)
}

extension ProtoCBridged {
    /// A malloc'd, filled C message; the caller owns it and frees it with `protobuf_c_message_free_unpacked`.
    func allocateCMessage() -> UnsafeMutablePointer<CMessage> {
        let c = ProtoC.allocateMessage(initializedBy: Self.initializeCMessage)
        fillCMessage(c)
        return c
    }
}
