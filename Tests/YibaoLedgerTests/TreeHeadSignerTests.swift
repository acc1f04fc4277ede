import Foundation
import Synchronization
import Testing
import YibaoCrypto
@testable import YibaoLedger

@Suite struct TreeHeadSignerTests {
    private static func head(_ size: UInt64) -> TreeHead {
        TreeHead(treeSize: size, timestampMs: 1_700_000_000_000 + size, root: HashAlgorithm.sm3.hash("root \(size)"))
    }

    /// Heads handed over faster than the pace are coalesced: the newest is signed, the ones it covers are not,
    /// and the writer handing them over never waits.
    @Test func headsWithinOneIntervalAreCoalescedToTheNewest() throws {
        let key = SM2PrivateKey()
        let notified = Mutex<[UInt64]>([])
        // An interval no test run comes near: only the first head and the one left at stop can be signed.
        let signer = TreeHeadSigner(key: key, interval: .seconds(3600)) { head in
            notified.withLock { $0.append(head.head.treeSize) }
        }
        for size in 1...200 { signer.submit(Self.head(UInt64(size))) }
        signer.stop()
        let signed = signer.takeSigned()
        #expect(signed.count >= 1 && signed.count <= 2, "signed \(signed.map(\.head.treeSize))")
        #expect(signed.last?.head == Self.head(200), "the newest head is signed on stop")
        #expect(signed.map(\.head.treeSize) == signed.map(\.head.treeSize).sorted())
        for head in signed { #expect(head.isValid(for: key.publicKey)) }
        #expect(notified.withLock { $0 } == signed.map(\.head.treeSize))
    }

    @Test func anOlderHeadNeverReplacesANewerOne() throws {
        let key = SM2PrivateKey()
        let signer = TreeHeadSigner(key: key, interval: .seconds(3600)) { _ in }
        signer.submit(Self.head(1))  // may be signed at once: the pace starts with it
        signer.submit(Self.head(9))
        signer.submit(Self.head(5))  // e.g. a recovered head handed over after a commit
        signer.stop()
        #expect(signer.takeSigned().last?.head == Self.head(9))
    }

    @Test func withoutPacingEveryHeadTheSignerReachesIsSigned() throws {
        let key = SM2PrivateKey()
        let signer = TreeHeadSigner(key: key, interval: .zero) { _ in }
        var signed: [SignedTreeHead] = []
        for size in 1...5 {
            signer.submit(Self.head(UInt64(size)))
            // Wait for this head before handing over the next, as an idle node's commits would.
            var polls = 0
            while signed.last?.head.treeSize != UInt64(size), polls < 60_000 {
                signed += signer.takeSigned()
                if signed.last?.head.treeSize != UInt64(size) { Thread.sleep(forTimeInterval: 0.001) }
                polls += 1
            }
        }
        signer.stop()
        #expect(signed.map(\.head.treeSize) == [1, 2, 3, 4, 5])
    }
}
