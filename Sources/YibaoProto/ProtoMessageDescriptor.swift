extension ProtoMessage {
    /// The message's `ProtobufCMessageDescriptor`, for tools that walk any message by its descriptor instead of
    /// code per message (the CLI's JSON mapping). A raw pointer, so that C types stay out of the public API; every
    /// generated message has one.
    public static var protobufCDescriptor: UnsafeRawPointer {
        guard let bridged = Self.self as? any ProtoCBridged.Type else {
            preconditionFailure("\(Self.self) is not a generated message")
        }
        return UnsafeRawPointer(bridged.cDescriptor)
    }
}
