import Synchronization
import YibaoCrypto

/// What the writer publishes for readers on other threads: the committed size, the newest signed head,
/// and the org registry's keys.
final class LedgerPublishedState: Sendable {
    struct Org: Sendable {
        let registration: OrgRegistration
        let publicKey: SM2PublicKey
    }

    private let size: Atomic<UInt64>
    private let head = Mutex<SignedTreeHead?>(nil)
    private let orgs = Mutex<[String: Org]>([:])

    init(size: UInt64) {
        self.size = Atomic(size)
    }

    var committedSize: UInt64 { size.load(ordering: .acquiring) }
    func committed(size newSize: UInt64) { size.store(newSize, ordering: .releasing) }

    var latestHead: SignedTreeHead? { head.withLock { $0 } }
    func signed(_ newHead: SignedTreeHead) {
        head.withLock { current in
            if (current?.head.treeSize ?? 0) <= newHead.head.treeSize { current = newHead }
        }
    }

    func org(_ code: String) -> Org? { orgs.withLock { $0[code] } }
    func register(_ org: Org) { orgs.withLock { $0[org.registration.code] = org } }
    var orgCodes: [String] { orgs.withLock { Array($0.keys).sorted() } }
}
