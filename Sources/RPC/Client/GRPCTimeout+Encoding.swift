extension GRPCTimeout {
    /// `grpc-timeout` for the time left until `deadline`: the finest unit whose amount fits the 8 digits
    /// the spec allows (an expired deadline still sends 1n, letting the server see it at once).
    static func encode(until deadline: ContinuousClock.Instant) -> String {
        encode(nanoseconds: max(nanoseconds(until: deadline), 1))
    }

    /// Nanoseconds left until `deadline`, between 0 and `maxNanoseconds`: a deadline centuries away (a caller's
    /// "no deadline") neither overflows nor wraps to an expired one.
    static func nanoseconds(until deadline: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = ContinuousClock.now.duration(to: deadline).components
        guard seconds >= 0 else { return 0 }
        guard seconds < maxNanoseconds / 1_000_000_000 else { return maxNanoseconds }
        return min(max(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, 0), maxNanoseconds)
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
