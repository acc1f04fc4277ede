extension GRPCTimeout {
    /// `grpc-timeout` for the time left until `deadline`: the finest unit whose amount fits the 8 digits
    /// the spec allows (an expired deadline still sends 1n, letting the server see it at once).
    static func encode(until deadline: ContinuousClock.Instant) -> String {
        let (seconds, attoseconds) = ContinuousClock.now.duration(to: deadline).components
        let nanoseconds = max(seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue
                              + attoseconds / 1_000_000_000, 1)
        return encode(nanoseconds: min(nanoseconds, maxNanoseconds))
    }

    static func encode(nanoseconds: Int64) -> String {
        let units: [(Int64, Character)] = [(1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"),
                                           (60 * 1_000_000_000, "M"), (3600 * 1_000_000_000, "H")]
        for (size, unit) in units {
            // Round up: a shorter timeout than asked could end the call early on the server.
            let amount = (nanoseconds + size - 1) / size
            if amount < 100_000_000 { return "\(amount)\(unit)" }
        }
        return "99999999H"
    }
}
