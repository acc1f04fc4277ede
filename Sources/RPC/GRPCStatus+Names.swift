extension GRPCStatus.Code {
    /// The canonical name (`FAILED_PRECONDITION`), as grpcio, the docs, the CLI and the metrics labels print it.
    public var canonicalName: String {
        var out = ""
        for character in "\(self)" {
            if character.isUppercase { out += "_" }
            out += character.uppercased()
        }
        return out
    }
}
