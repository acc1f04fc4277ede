import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

/// Transaction hashes are findable from the moment of the receipt, while they wait in memory, during the merge
/// into LMDB, after it, and after a restart that rebuilds what had not been merged.
@Suite struct TransactionIndexTests {
    @Test func lookUpsWorkBeforeDuringAndAfterMerges() async throws {
        var configuration = LedgerFixture.fastConfiguration()
        configuration.hashIndexFlushMinimum = 40
        configuration.hashIndexFlushSlice = 7
        let f = try await LedgerFixture(configuration: configuration)
        var receipts: [Receipt] = []
        for round in 0..<30 {
            receipts += try await f.submit((0..<9).map { LedgerFixture.payload(round * 9 + $0) })
            // Checked at every step: some of these hashes are pending, some mid-merge, some merged.
            for receipt in receipts.suffix(20) {
                #expect(try f.ledger.index(ofTransaction: receipt.transactionHash) == receipt.index)
            }
        }
        for receipt in receipts {
            #expect(try f.ledger.index(ofTransaction: receipt.transactionHash) == receipt.index)
        }
        try f.reopen()
        defer { f.shutdown() }
        for receipt in receipts {
            #expect(try f.ledger.index(ofTransaction: receipt.transactionHash) == receipt.index)
        }
        f.shutdown()
        let report = try f.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.indexedTransactions > 0, "the merge into LMDB never ran")
        print("transaction index: \(report.indexedTransactions) of \(report.entries) hashes merged into LMDB")
        try f.reopen()
    }
}
