import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts one of the node's long-lived threads (writer, signer, audit writer) under a name the kernel knows too.
/// Foundation's `Thread.name` does not reach the thread's comm on Linux, so `top -H`, `perf` and /proc showed these
/// threads as anonymous; with the comm set, a profile or a benchmark can tell the writer's CPU from the rest.
enum DedicatedThread {
    /// The kernel keeps 15 bytes of a thread's name.
    static let kernelNameLimit = 15

    static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            setKernelName(name)
            body()
        }
        thread.name = name
        thread.start()
    }

    /// Writes the calling thread's comm through /proc/thread-self (pthread_setname_np is not in Swift's Glibc
    /// module). Best effort: a kernel without /proc leaves the thread unnamed, nothing else changes.
    private static func setKernelName(_ name: String) {
        #if canImport(Glibc)
        let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(kernelNameLimit))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        #endif
    }
}
