/// Bounds applied before protobuf-c sees untrusted bytes.
public enum ProtoLimits {
    /// gRPC's customary default maximum receive size.
    public static let defaultMaxMessageSize = 4 << 20
}
