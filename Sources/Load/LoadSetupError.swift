/// Why a run could not start: a key that does not read, a node that cannot be reached. Not a measured outcome:
/// the command line reports it and exits 1.
public struct LoadSetupError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
