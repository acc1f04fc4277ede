import Foundation

extension NSCondition {
    /// Waits (the lock held) until signalled or `timeout` has passed; false if it timed out. The node's threads
    /// think in `Duration`, Foundation's condition in wall-clock dates.
    @discardableResult
    func wait(upTo timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        return wait(until: Date(timeIntervalSinceNow: TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18))
    }
}
