import Foundation
import YibaoCrypto

/// Signs tree heads on its own thread, so no commit waits for an SM2 signature (about 0.6 ms here, longer than the
/// fsync it follows). The writer hands over the head of each commit and goes on, never blocking. The signer signs
/// the newest head it has been given, at most once per `interval`: a head commits to every entry before it, so a
/// later head covers the commits whose own heads were skipped. Without the pacing, a trickle of single-record
/// commits kept one of the machine's cores busy signing heads nobody asks for; with it, signing costs at most
/// one signature per interval, and a commit is covered by a signed head within about one interval.
final class TreeHeadSigner: @unchecked Sendable {  // every field is guarded by `condition`
    private let key: SM2PrivateKey
    private let interval: Duration
    private let condition = NSCondition()
    /// The newest head not yet signed; a newer one replaces it.
    private var waiting: TreeHead?
    /// The largest size handed over so far (waiting, being signed or signed): an older head is never signed after it.
    private var newestSize: UInt64 = 0
    private var signed: [SignedTreeHead] = []
    private var stopping = false
    private var finished = false
    private var nextSigning: ContinuousClock.Instant
    private let onSigned: @Sendable (SignedTreeHead) -> Void

    init(key: SM2PrivateKey, interval: Duration, onSigned: @escaping @Sendable (SignedTreeHead) -> Void) {
        self.key = key
        self.interval = interval
        self.onSigned = onSigned
        self.nextSigning = ContinuousClock.now
        DedicatedThread.start(named: "yibao-signer") { [self] in run() }
    }

    /// Hands over the head of a commit; an older head still waiting is dropped, since this one covers it.
    func submit(_ head: TreeHead) {
        condition.lock()
        guard head.treeSize >= newestSize else {
            condition.unlock()
            return
        }
        newestSize = head.treeSize
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

    /// Signs the head still waiting at once, without pacing, and ends the thread: on shutdown the newest head
    /// must be signed before the writer stores it.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            if waiting == nil {
                if stopping { break }
                condition.wait()
                continue
            }
            let now = ContinuousClock.now
            if !stopping && now < nextSigning {
                // Paced: later commits may still replace the waiting head before its turn comes. The wait takes a
                // wall-clock deadline, so it is re-checked on the monotonic clock at least every 100 ms: a clock
                // set back cannot stretch it.
                condition.wait(upTo: min(nextSigning - now, .milliseconds(100)))
                continue
            }
            let head = waiting!
            waiting = nil
            nextSigning = now + interval
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
            condition.unlock()
            onSigned(result)  // after `signed` holds it: it wakes the writer to store it
            condition.lock()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
