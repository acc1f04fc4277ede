/// A JSON request that does not fit its message, naming the field path (`invoices[0].total_amount`).
struct ProtoJSONError: Error, CustomStringConvertible {
    let path: String
    let problem: String

    var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
