import Foundation
import Synchronization
import Testing
import YibaoTestSupport

/// A child started by a test never outlives it: when the body fails midway (a throw, a failed `#require`), the
/// scope still stops the child and reaps it, so its pid is gone (no process, no zombie: kill(pid, 0) is ESRCH).
@Suite("Child processes are stopped and reaped when the test body throws")
struct ChildCleanupTests {
    struct BodyFailed: Error {}

    /// Whether no process (not even an unreaped zombie) has this pid.
    static func isGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) == -1 && errno == ESRCH
    }

    @Test func aNodeWhoseBodyThrowsIsStoppedAndReaped() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("yibao-cleanup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let pid = Atomic<pid_t>(0)
        await #expect(throws: BodyFailed.self) {
            try await NodeProcess.withRunning(["--data", work + "/data", "--listen", "127.0.0.1:0", "--durability", "none"],
                                              directory: work) { node, _ in
                pid.store(node.pid, ordering: .relaxed)
                #expect(node.isRunning)
                throw BodyFailed()
            }
        }
        let nodePID = pid.load(ordering: .relaxed)
        #expect(nodePID > 0)
        #expect(Self.isGone(nodePID), "yibao-server \(nodePID) outlived its test")
    }

    /// A child that ignores SIGTERM is SIGKILLed once the grace period is over, and still reaped.
    @Test func aChildIgnoringSIGTERMIsKilledAfterTheGracePeriod() async throws {
        let pid = Atomic<pid_t>(0)
        await #expect(throws: BodyFailed.self) {
            try await withRunningChild("/bin/sh", ["-c", "trap '' TERM; exec sleep 300"], grace: .milliseconds(200)) { child in
                pid.store(child.pid, ordering: .relaxed)
                throw BodyFailed()
            }
        }
        let childPID = pid.load(ordering: .relaxed)
        #expect(childPID > 0)
        #expect(Self.isGone(childPID), "child \(childPID) outlived its test")
    }
}
