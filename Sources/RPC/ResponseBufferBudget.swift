#if canImport(CGlibcMalloc)
import CGlibcMalloc
#endif
import NIOCore
import Synchronization

/// Response bytes queued for peers by every connection of a server together, against
/// `RPCServerConfiguration.serverResponseBufferLimit`. Connections add what their handlers queue and take off
/// what nghttp2 sends (or what a closed stream drops). A connection whose streaming handlers wait because the
/// server is over the limit asks to be told (`notifyWhenRoom`); once usage falls below half the limit, each
/// such connection is woken on its own event loop.
final class ResponseBufferBudget: Sendable {
    let limit: Int
    private struct State {
        var used = 0
        var waiting: [ObjectIdentifier: @Sendable () -> Void] = [:]
        /// Bytes released by closed connections since the allocator was last asked to give memory back.
        var releasedSinceTrim = 0
    }
    /// A closed connection's buffers are handed back to the operating system once this much has been freed
    /// (glibc keeps freed heap otherwise: a burst of stalled peers would leave the node's RSS high for good).
    static let trimThreshold = 8 * 1024 * 1024
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit > 0, "serverResponseBufferLimit must be positive")
        self.limit = limit
    }

    var used: Int { state.withLock { $0.used } }
    var isOver: Bool { state.withLock { $0.used > limit } }

    func add(_ bytes: Int) {
        guard bytes != 0 else { return }
        assert(bytes > 0)
        state.withLock { $0.used += bytes }
    }

    func release(_ bytes: Int) {
        guard bytes != 0 else { return }
        assert(bytes > 0)
        let wake = state.withLock { state -> [@Sendable () -> Void] in
            state.used -= bytes
            assert(state.used >= 0, "released more response bytes than were added")
            guard !state.waiting.isEmpty, state.used <= limit / 2 else { return [] }
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for callback in wake { callback() }
    }

    /// `wake` runs (once, on the releasing thread: it should hop to its loop) when usage is back below half.
    /// Called again before that, it replaces the earlier callback of the same `waiter`.
    func notifyWhenRoom(_ waiter: ObjectIdentifier, wake: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            guard state.used > limit / 2 else { return true }
            state.waiting[waiter] = wake
            return false
        }
        if now { wake() }
    }

    /// A connection closed while holding `bytes` (already released): return freed memory to the system
    /// once enough has piled up. Runs on the closing connection's loop; a trim costs a walk of the heap.
    func connectionClosed(holding bytes: Int) {
        let trim = state.withLock { state -> Bool in
            state.releasedSinceTrim += bytes
            guard state.releasedSinceTrim >= Self.trimThreshold else { return false }
            state.releasedSinceTrim = 0
            return true
        }
        #if canImport(CGlibcMalloc)
        if trim { _ = malloc_trim(0) }
        #endif
    }

    func cancelNotification(_ waiter: ObjectIdentifier) {
        _ = state.withLock { $0.waiting.removeValue(forKey: waiter) }
    }
}
