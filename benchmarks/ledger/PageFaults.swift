import Foundation
import Glibc

/// Page faults and disk reads of this process over a timed section. LMDB reads through its memory map, so a proof
/// that touches a page not yet mapped takes a minor fault (page cache hit) or a major one (read from disk):
/// major faults are what turn a 20 µs proof into a millisecond one, and they say the store no longer fits the cache.
struct PageFaults: Codable, Sendable {
    let minor: Int
    let major: Int
    let bytesReadFromDisk: Int

    struct Meter {
        private let start = Sample.now()

        static func start() -> Meter { Meter() }

        func finish() -> PageFaults {
            let end = Sample.now()
            return PageFaults(minor: end.minor - start.minor, major: end.major - start.major,
                              bytesReadFromDisk: end.readBytes - start.readBytes)
        }
    }

    private struct Sample {
        let minor: Int
        let major: Int
        let readBytes: Int

        static func now() -> Sample {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let io = (try? String(contentsOfFile: "/proc/self/io", encoding: .utf8)) ?? ""
            let readLine = io.split(separator: "\n").first { $0.hasPrefix("read_bytes:") }
            let readBytes = readLine.flatMap { Int($0.dropFirst("read_bytes:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            return Sample(minor: usage.ru_minflt, major: usage.ru_majflt, readBytes: readBytes)
        }
    }
}
