/// Bounds on what the generator accepts: descriptor sets are trusted input, but a bound turns a mistake into a message.
enum GeneratorLimits {
    /// protoc writes a few KiB per file; 64 MiB is a broken file, not a big API.
    static let maxDescriptorSetBytes = 64 << 20
    /// Nested message declarations deeper than this are refused (the walk is recursive).
    static let maxNestingDepth = 16
}
