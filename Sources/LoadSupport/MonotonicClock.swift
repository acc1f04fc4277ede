import Glibc

/// Nanoseconds from CLOCK_MONOTONIC: immune to wall-clock steps, cheap enough (vDSO) to read around every call.
public enum MonotonicClock {
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    public static func seconds(since start: UInt64) -> Double {
        Double(nanoseconds() - start) / 1e9
    }
}
