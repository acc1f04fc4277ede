import Foundation
import YibaoCrypto

/// Signs a tree head after every commit on its own thread: an SM2 signature costs about 0.6 ms here, longer than
/// the fsync it follows, so signing inline would double single-record commit latency. The writer hands over
/// the head of each commit and goes on; it waits only if the previous head is still being signed, so signing
/// never lags more than one commit and every commit gets its head.
final class TreeHeadSigner: @unchecked Sendable {
    private let key: SM2PrivateKey
    private let condition = NSCondition()
    private var waiting: TreeHead?
    private var busy = false
    private var signed: [SignedTreeHead] = []
    private var stopped = false
    private let onSigned: @Sendable (SignedTreeHead) -> Void

    init(key: SM2PrivateKey, onSigned: @escaping @Sendable (SignedTreeHead) -> Void) {
        self.key = key
        self.onSigned = onSigned
        let thread = Thread { [self] in run() }
        thread.name = "yibao-sth-signer"
        thread.start()
    }

    /// Queues `head`; blocks while the previous head waits to be signed.
    func submit(_ head: TreeHead) {
        condition.lock()
        while waiting != nil && !stopped { condition.wait() }
        waiting = head
        condition.broadcast()
        condition.unlock()
    }

    var hasSigned: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !signed.isEmpty
    }

    /// Signed heads not yet stored, oldest first.
    func takeSigned() -> [SignedTreeHead] {
        condition.lock()
        defer { condition.unlock() }
        let result = signed
        signed.removeAll()
        return result
    }

    /// Puts heads back after a failed store, so they are stored with the next commit.
    func returnUnstored(_ heads: [SignedTreeHead]) {
        condition.lock()
        signed.insert(contentsOf: heads, at: 0)
        condition.unlock()
    }

    /// Waits until every submitted head is signed.
    func drain() {
        condition.lock()
        while (waiting != nil || busy) && !stopped { condition.wait() }
        condition.unlock()
    }

    func stop() {
        drain()
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while waiting == nil && !stopped { condition.wait() }
            guard let head = waiting else { condition.unlock(); return }
            waiting = nil
            busy = true
            condition.broadcast()
            condition.unlock()

            // Signing cannot fail with a valid key; if OpenSSL ever refuses, the node must not run unsigned.
            let result: SignedTreeHead
            do {
                result = try SignedTreeHead.signing(head, with: key)
            } catch {
                fatalError("signing the tree head at size \(head.treeSize) failed: \(error)")
            }
            condition.lock()
            signed.append(result)
            busy = false
            condition.broadcast()
            condition.unlock()
            onSigned(result)
        }
    }
}
