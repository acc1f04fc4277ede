import CProtobufC
import YibaoDescriptorC

/// Decodes `protoc --descriptor_set_out --include_imports` output with protobuf-c and the protoc-c code generated
/// from descriptor.proto itself, then copies what the generator needs into `ProtoFile` values.
enum DescriptorSetReader {
    static func read(_ bytes: [UInt8]) throws -> [ProtoFile] {
        guard bytes.count <= GeneratorLimits.maxDescriptorSetBytes else {
            throw GeneratorError("descriptor set of \(bytes.count) bytes is over \(GeneratorLimits.maxDescriptorSetBytes)")
        }
        guard let set = bytes.withUnsafeBufferPointer({
            google__protobuf__file_descriptor_set__unpack(nil, $0.count, $0.baseAddress)
        }) else {
            throw GeneratorError("not a FileDescriptorSet (protobuf-c could not unpack \(bytes.count) bytes)")
        }
        defer { google__protobuf__file_descriptor_set__free_unpacked(set, nil) }
        return try pointers(set.pointee.file, set.pointee.n_file).map(file)
    }

    private static func file(_ f: UnsafeMutablePointer<Google__Protobuf__FileDescriptorProto>) throws -> ProtoFile {
        let name = string(f.pointee.name)
        let package = string(f.pointee.package)
        let scope = package.isEmpty ? "" : package + "."
        return ProtoFile(
            name: name, package: package, syntax: string(f.pointee.syntax),
            messages: try pointers(f.pointee.message_type, f.pointee.n_message_type).map {
                try message($0, scope: scope, file: name, depth: 1)
            },
            enums: pointers(f.pointee.enum_type, f.pointee.n_enum_type).map { enumeration($0, scope: scope) },
            services: pointers(f.pointee.service, f.pointee.n_service).map { service($0, scope: scope) })
    }

    private static func service(_ s: UnsafeMutablePointer<Google__Protobuf__ServiceDescriptorProto>,
                                scope: String) -> ProtoServiceDecl {
        let name = string(s.pointee.name)
        return ProtoServiceDecl(
            fullName: scope + name, name: name,
            methods: pointers(s.pointee.method, s.pointee.n_method).map { m in
                let level = m.pointee.options.map { $0.pointee.has_idempotency_level != 0 ? $0.pointee.idempotency_level
                    : GOOGLE__PROTOBUF__METHOD_OPTIONS__IDEMPOTENCY_LEVEL__IDEMPOTENCY_UNKNOWN }
                return ProtoMethodDecl(
                    name: string(m.pointee.name),
                    inputType: String(string(m.pointee.input_type).drop { $0 == "." }),
                    outputType: String(string(m.pointee.output_type).drop { $0 == "." }),
                    clientStreaming: m.pointee.has_client_streaming != 0 && m.pointee.client_streaming != 0,
                    serverStreaming: m.pointee.has_server_streaming != 0 && m.pointee.server_streaming != 0,
                    idempotent: level == GOOGLE__PROTOBUF__METHOD_OPTIONS__IDEMPOTENCY_LEVEL__IDEMPOTENT
                        || level == GOOGLE__PROTOBUF__METHOD_OPTIONS__IDEMPOTENCY_LEVEL__NO_SIDE_EFFECTS)
            })
    }

    private static func message(_ m: UnsafeMutablePointer<Google__Protobuf__DescriptorProto>, scope: String,
                                file: String, depth: Int) throws -> ProtoMessageDecl {
        let name = string(m.pointee.name)
        let fullName = scope + name
        guard depth <= GeneratorLimits.maxNestingDepth else {
            throw GeneratorError("\(file): \(fullName) is nested deeper than \(GeneratorLimits.maxNestingDepth)")
        }
        let fields = try pointers(m.pointee.field, m.pointee.n_field).map { try field($0, in: fullName, file: file) }
        return ProtoMessageDecl(
            fullName: fullName, name: name, fields: fields,
            oneofNames: pointers(m.pointee.oneof_decl, m.pointee.n_oneof_decl).map { string($0.pointee.name) },
            nestedMessages: try pointers(m.pointee.nested_type, m.pointee.n_nested_type).map {
                try message($0, scope: fullName + ".", file: file, depth: depth + 1)
            },
            nestedEnums: pointers(m.pointee.enum_type, m.pointee.n_enum_type).map {
                enumeration($0, scope: fullName + ".")
            },
            isMapEntry: m.pointee.options.map { $0.pointee.has_map_entry != 0 && $0.pointee.map_entry != 0 } ?? false)
    }

    private static func field(_ f: UnsafeMutablePointer<Google__Protobuf__FieldDescriptorProto>, in message: String,
                              file: String) throws -> ProtoFieldDecl {
        let name = string(f.pointee.name)
        guard let type = ProtoFieldType(rawValue: Int(f.pointee.type.rawValue)), type != .group else {
            throw GeneratorError("\(file): \(message).\(name) has an unsupported type \(f.pointee.type.rawValue)")
        }
        // protobuf-c 1.4 rejects proto3 `optional`; refuse it here too rather than emit code that cannot build.
        if f.pointee.has_proto3_optional != 0 && f.pointee.proto3_optional != 0 {
            throw GeneratorError("\(file): \(message).\(name) uses proto3 optional, which protobuf-c 1.4 rejects")
        }
        var typeName = string(f.pointee.type_name)
        if typeName.hasPrefix(".") { typeName.removeFirst() }
        return ProtoFieldDecl(
            name: name, number: f.pointee.number,
            isRepeated: f.pointee.label == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED,
            type: type, typeName: typeName,
            oneofIndex: f.pointee.has_oneof_index != 0 ? Int(f.pointee.oneof_index) : nil)
    }

    private static func enumeration(_ e: UnsafeMutablePointer<Google__Protobuf__EnumDescriptorProto>,
                                    scope: String) -> ProtoEnumDecl {
        let name = string(e.pointee.name)
        return ProtoEnumDecl(
            fullName: scope + name, name: name,
            values: pointers(e.pointee.value, e.pointee.n_value).map { (string($0.pointee.name), $0.pointee.number) })
    }

    static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// A protobuf-c repeated message field (`size_t n_x; T **x;`) as a Swift array of non-null pointers.
    static func pointers<T>(_ base: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?,
                                    _ count: Int) -> [UnsafeMutablePointer<T>] {
        guard let base, count > 0 else { return [] }
        return UnsafeBufferPointer(start: base, count: count).compactMap { $0 }
    }
}
