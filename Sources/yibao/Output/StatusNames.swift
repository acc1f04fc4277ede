import YibaoRPC

/// gRPC status codes by their canonical names (`FAILED_PRECONDITION`), as grpcio and the docs print them.
enum StatusNames {
    static func name(_ code: GRPCStatus.Code) -> String {
        var out = ""
        for character in "\(code)" {
            if character.isUppercase { out += "_" }
            out += character.uppercased()
        }
        return out
    }
}
