/// A JSON request that does not fit its message, naming the field path (`invoices[0].total_amount`).
public struct ProtoJSONError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
