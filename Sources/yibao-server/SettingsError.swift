/// A setting that cannot be used, named with where it came from (flag, environment variable, file line).
struct SettingsError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
