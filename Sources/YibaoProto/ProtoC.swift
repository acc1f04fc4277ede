import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The generic half of the Swift <-> protobuf-c bridge, used by generated code.
/// Ownership rule: everything put into a C message is malloc'd the way protobuf-c's unpack would have done it,
/// so one `protobuf_c_message_free_unpacked(message, NULL)` releases a built message as well as an unpacked one.
enum ProtoC {
    static func decode<M: ProtoCBridged>(_ bytes: [UInt8], maxSize: Int) throws(ProtoDecodingError) -> M {
        guard bytes.count <= maxSize else {
            throw .tooLarge(messageType: M.protoName, size: bytes.count, limit: maxSize)
        }
        let unpacked = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<ProtobufCMessage>? in
            // An empty array may have no storage; protobuf-c reads nothing at length 0 but wants a pointer.
            var nothing: UInt8 = 0
            guard let base = buffer.baseAddress else { return protobuf_c_message_unpack(M.cDescriptor, nil, 0, &nothing) }
            return protobuf_c_message_unpack(M.cDescriptor, nil, buffer.count, base)
        }
        guard let unpacked else { throw .malformed(messageType: M.protoName, size: bytes.count) }
        defer { protobuf_c_message_free_unpacked(unpacked, nil) }
        return M(cMessage: UnsafeRawPointer(unpacked).assumingMemoryBound(to: M.CMessage.self))
    }

    static func encode<M: ProtoCBridged>(_ message: M) -> [UInt8] {
        let base = UnsafeMutableRawPointer(message.allocateCMessage()).assumingMemoryBound(to: ProtobufCMessage.self)
        defer { protobuf_c_message_free_unpacked(base, nil) }
        let size = protobuf_c_message_get_packed_size(base)
        guard size > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = protobuf_c_message_pack(base, buffer.baseAddress)
            precondition(initialized == size, "protobuf-c packed \(initialized) bytes, promised \(size)")
        }
    }

    /// The descriptor protoc-c's `__init` stores in a message: reached this way because Swift gives no stable
    /// address for an imported `extern const` struct.
    static func descriptor<T>(initializedBy initialize: (UnsafeMutablePointer<T>) -> Void)
        -> UnsafePointer<ProtobufCMessageDescriptor> {
        let probe = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { probe.deallocate() }
        initialize(probe)
        return UnsafeRawPointer(probe).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
    }

    // MARK: Allocation (malloc: free_unpacked frees with the default allocator, which is free)

    static func allocateMessage<T>(initializedBy initialize: (UnsafeMutablePointer<T>) -> Void) -> UnsafeMutablePointer<T> {
        let message = allocate(T.self, count: 1)
        initialize(message)
        return message
    }

    static func copyString(_ string: String) -> UnsafeMutablePointer<CChar> {
        // C strings end at the first NUL: protobuf-c cannot carry U+0000 inside a string field.
        guard let copy = strdup(string) else { fatalError("out of memory copying a \(string.utf8.count)-byte string") }
        return copy
    }

    static func copyBytes(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let data = allocate(UInt8.self, count: bytes.count)
        bytes.withUnsafeBufferPointer { data.initialize(from: $0.baseAddress!, count: bytes.count) }
        return ProtobufCBinaryData(len: bytes.count, data: data)
    }

    /// Fills a repeated field (`size_t n_x; T *x;`) with a malloc'd array.
    static func fill<Element, Value>(_ pointer: inout UnsafeMutablePointer<Element>?, count: inout Int,
                                     from values: [Value], _ transform: (Value) -> Element) {
        guard !values.isEmpty else { pointer = nil; count = 0; return }
        let array = allocate(Element.self, count: values.count)
        for (index, value) in values.enumerated() { (array + index).initialize(to: transform(value)) }
        pointer = array
        count = values.count
    }

    private static func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = MemoryLayout<T>.stride * count
        guard let raw = malloc(max(bytes, 1)) else { fatalError("out of memory allocating \(bytes) bytes") }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    // MARK: Reading

    static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let base = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    static func array<Element, Value>(_ pointer: UnsafeMutablePointer<Element>?, count: Int,
                                      _ transform: (Element) -> Value) -> [Value] {
        guard let pointer, count > 0 else { return [] }
        return UnsafeBufferPointer(start: pointer, count: count).map(transform)
    }

    /// A repeated message field (`size_t n_x; T **x;`) as non-null pointers.
    static func messages<T>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?,
                            count: Int) -> [UnsafeMutablePointer<T>] {
        guard let pointer, count > 0 else { return [] }
        return UnsafeBufferPointer(start: pointer, count: count).compactMap { $0 }
    }

    /// A message value where proto3 has no "absent" (map values, oneof members): missing reads as the default.
    static func message<M: ProtoCBridged>(_ pointer: UnsafePointer<M.CMessage>?, as _: M.Type) -> M {
        pointer.map { M(cMessage: $0) } ?? M()
    }
}
