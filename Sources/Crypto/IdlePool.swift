import Synchronization

/// Objects that are costly to make and not thread-safe (OpenSSL contexts holding a key), kept between uses so
/// that threads take one, use it alone, and give it back. Holds at most `capacity`; beyond that, what is given back
/// is dropped.
final class IdlePool<Element: AnyObject>: Sendable {
    /// An element in the pool belongs to no thread: it moves between threads only through the lock, and whoever
    /// takes it uses it alone until it is given back.
    private struct Held: @unchecked Sendable { let element: Element }

    private let idle = Mutex<[Held]>([])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// An idle element, or nil if every one is in use (the caller makes another).
    func take() -> Element? {
        idle.withLock { $0.popLast() }?.element
    }

    /// Gives back an element that is ready for the next use.
    func giveBack(_ element: Element) {
        let held = Held(element: element)
        idle.withLock { if $0.count < capacity { $0.append(held) } }
    }
}
