import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

/// Every refusal names the field and the rule, carries the right code, and leaves the ledger serving.
@Suite struct LedgerHostileInputTests {
    private func batchError(_ f: LedgerFixture, _ batch: SignedBatch) async -> LedgerError? {
        do {
            _ = try await f.ledger.submit(batch)
            return nil
        } catch {
            return error as? LedgerError
        }
    }

    @Test func batchLevelRefusals() async throws {
        var configuration = LedgerFixture.fastConfiguration()
        configuration.maxRecordsPerBatch = 5
        let f = try await LedgerFixture(configuration: configuration)
        defer { f.shutdown() }
        let sizeBefore = f.ledger.treeSize

        let empty = try f.batch([])
        var error = await batchError(f, empty)
        #expect(error == LedgerError(.invalidArgument, "records: the batch is empty"))

        error = await batchError(f, try f.batch((0..<6).map { LedgerFixture.payload($0) }))
        #expect(error == LedgerError(.invalidArgument, "records: the batch holds 6 records; the limit is 5"))

        var stranger = try f.batch([LedgerFixture.payload(1)])
        stranger.org = "H99999999999"
        error = await batchError(f, stranger)
        #expect(error == LedgerError(.unauthenticated, "org H99999999999 is not in the registry"))

        var badOrg = try f.batch([LedgerFixture.payload(1)])
        badOrg.org = "H 1"
        error = await batchError(f, badOrg)
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("org code must be 1 to 64 printable ASCII") == true)

        var noRequestId = try f.batch([LedgerFixture.payload(1)])
        noRequestId.requestId = ""
        error = await batchError(f, noRequestId)
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("request_id must be 1 to 128 bytes") == true)

        var unsigned = try f.batch([LedgerFixture.payload(1)])
        unsigned.signature = []
        error = await batchError(f, unsigned)
        #expect(error == LedgerError(.unauthenticated, "signature: the batch of org H46010600001 is unsigned"))

        // A valid signature, but over other records: the payload was altered after signing.
        var altered = try f.batch([LedgerFixture.payload(1), LedgerFixture.payload(2)])
        altered.records[1].payload[0] ^= 1
        error = await batchError(f, altered)
        #expect(error?.code == .unauthenticated)
        #expect(error?.message.hasPrefix("signature: does not verify with org H46010600001's registered key") == true)

        // Signed by someone else's key.
        let forged = try SignedBatch.signing(org: LedgerFixture.org, requestId: "forged",
                                             records: [LedgerRecord(kind: .attestation, payload: [1])], key: SM2PrivateKey())
        error = await batchError(f, forged)
        #expect(error?.code == .unauthenticated)

        var garbageSignature = try f.batch([LedgerFixture.payload(1)])
        garbageSignature.signature = [UInt8](repeating: 0x30, count: 4096)
        error = await batchError(f, garbageSignature)
        #expect(error?.code == .unauthenticated)

        #expect(f.ledger.treeSize == sizeBefore, "a refused batch leaves no entry")
        // Still serving.
        let receipts = try await f.submit([LedgerFixture.payload(7)])
        #expect(receipts.count == 1)
    }

    @Test func aBadRecordFailsAloneAndTheRestLand() async throws {
        var configuration = LedgerFixture.fastConfiguration()
        configuration.maxEntryBytes = 1_000
        let f = try await LedgerFixture(configuration: configuration)
        defer { f.shutdown() }
        let records = [
            LedgerRecord(kind: .attestation, payload: LedgerFixture.payload(0)),
            LedgerRecord(kind: .attestation, payload: []),
            LedgerRecord(kindNumber: 999, payload: LedgerFixture.payload(2)),
            LedgerRecord(kind: .attestation, payload: [UInt8](repeating: 7, count: 2_000)),
            LedgerRecord(kind: .batchSeal, payload: LedgerFixture.payload(4)),
            LedgerRecord(kind: .attestation, payload: LedgerFixture.payload(5)),
        ]
        let batch = try SignedBatch.signing(org: LedgerFixture.org, requestId: "mixed", records: records, key: f.orgKey)
        let outcomes = try await f.ledger.submit(batch)
        #expect(outcomes.count == 6)
        let landed = outcomes.compactMap { try? $0.get() }
        #expect(landed.map(\.index) == [2, 3])
        func failure(_ i: Int) -> LedgerError? {
            if case .failure(let e) = outcomes[i] { return e }
            return nil
        }
        #expect(failure(1) == LedgerError(.invalidArgument, "records[1].payload: is empty"))
        #expect(failure(2) == LedgerError(.invalidArgument, "records[2].kind: unknown entry kind 999"))
        #expect(failure(3)?.code == .invalidArgument)
        #expect(failure(3)?.message.hasPrefix("records[3].payload: the entry is 2") == true)
        #expect(failure(3)?.message.hasSuffix("bytes; the limit is 1000") == true)
        #expect(failure(4) == LedgerError(.permissionDenied, "records[4].kind: batch_seal entries are written by the node only"))

        // The seal records every position, refused ones by their leaf hash, so the org's signature checks offline.
        let seal = try f.ledger.entry(at: 4)
        let decodedSeal = try seal.decoded()
        #expect(decodedSeal.kindNumber == EntryKind.batchSeal.rawValue)
        let parsed = try decodedSeal.payload.withUnsafeBytes { try BatchSeal(decoding: $0) }
        #expect(parsed.outcomes.count == 6)
        #expect(parsed.outcomes[0] == .landed(index: 2))
        #expect(parsed.outcomes[5] == .landed(index: 3))
        #expect(try f.verify().isValid)
    }

    @Test func aBatchWhoseRecordsAllFailLeavesNothing() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let size = f.ledger.treeSize
        let batch = try f.batch([[], []], requestId: "all-bad")
        let outcomes = try await f.ledger.submit(batch)
        #expect(outcomes.allSatisfy { if case .failure = $0 { true } else { false } })
        #expect(f.ledger.treeSize == size)
        // The request id was not consumed: a corrected batch may use it.
        let fixed = try await f.submit([LedgerFixture.payload(1)], requestId: "all-bad")
        #expect(fixed.count == 1)
    }

    /// Every kind the node writes itself is refused by name when an org submits it, not as an unknown number.
    @Test func everyNodeWrittenKindIsRefusedAsTheNodesOwn() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let records = EntryKind.nodeWrittenKinds.map { LedgerRecord(kind: $0, payload: LedgerFixture.payload(1)) }
        let batch = try SignedBatch.signing(org: LedgerFixture.org, requestId: "node-kinds", records: records, key: f.orgKey)
        let outcomes = try await f.ledger.submit(batch)
        for (position, kind) in EntryKind.nodeWrittenKinds.enumerated() {
            guard case .failure(let error) = outcomes[position] else {
                Issue.record("\(kind) was accepted from an org")
                continue
            }
            #expect(error == LedgerError(.permissionDenied, "records[\(position)].kind: \(kind.name) entries are written by the node only"))
        }
    }

    @Test func proofRequestsOutsideTheTreeAreRefused() async throws {
        let f = try await LedgerFixture()
        defer { f.shutdown() }
        let size = f.ledger.treeSize
        #expect(throws: LedgerError(.invalidArgument, "index \(size) is not below tree size \(size)")) {
            try f.ledger.inclusionProof(index: size)
        }
        #expect(throws: LedgerError(.invalidArgument, "tree size 0 is outside 1...\(size)")) {
            try f.ledger.inclusionProof(index: 0, treeSize: 0)
        }
        #expect(throws: LedgerError(.invalidArgument, "tree size 1000 is outside 1...\(size)")) {
            try f.ledger.consistencyProof(from: 1, to: 1000)
        }
        #expect(throws: LedgerError(.invalidArgument, "old size 0 must be between 1 and the new size \(size)")) {
            try f.ledger.consistencyProof(from: 0)
        }
        #expect(throws: LedgerError.self) { try f.ledger.entry(at: 1_000_000) }
    }
}
