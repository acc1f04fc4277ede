import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoLedger

/// Batches the node attests for an org its RPC front end authenticated: they land like org-signed ones, their seal
/// keeps the evidence, the node's signature and a signed request's org signature are re-checked by `verify`.
@Suite struct LedgerAttestationTests {
    private let fingerprint = Array(HashAlgorithm.sha256.hash(Array("client certificate".utf8)).bytes)

    private func signedRequest(_ f: LedgerFixture, key: SM2PrivateKey, request: [UInt8],
                               timestampMs: UInt64 = 1_763_856_000_000) throws -> BatchAuthentication {
        let method = "/yibao.v1.InvoiceService/IssueInvoices"
        let digest = HashAlgorithm.sm3.hash(request)
        let message = RequestSigningMessage.bytes(method: method, org: LedgerFixture.org, timestampMs: timestampMs,
                                                  requestDigest: digest)
        return .signedRequest(method: method, timestampMs: timestampMs, requestDigest: digest,
                              signature: try key.signature(for: message))
    }

    private func attested(_ f: LedgerFixture, _ payloads: [[UInt8]], _ authentication: BatchAuthentication,
                          requestId: String? = nil) -> SignedBatch {
        SignedBatch.attested(org: LedgerFixture.org, requestId: requestId ?? f.nextRequestId(),
                             records: payloads.map { LedgerRecord(kind: .attestation, payload: $0) },
                             authentication: authentication)
    }

    private func seal(after receipt: Receipt, in f: LedgerFixture) throws -> BatchSeal {
        let entry = try f.ledger.entry(at: receipt.treeSize - 1).decoded()
        #expect(entry.kindNumber == EntryKind.batchSeal.rawValue)
        return try entry.payload.withUnsafeBytes { try BatchSeal(decoding: $0) }
    }

    @Test func everyKindOfAuthenticationLandsAndVerifies() async throws {
        let f = try await LedgerFixture()
        let request = Array("the request message bytes".utf8)
        let kinds: [BatchAuthentication] = [.mutualTLS(certificateSHA256: fingerprint),
                                            try signedRequest(f, key: f.orgKey, request: request), .development]
        for (round, authentication) in kinds.enumerated() {
            let outcomes = try await f.ledger.submit(attested(f, [LedgerFixture.payload(round), LedgerFixture.payload(round + 10)],
                                                              authentication))
            let receipts = try outcomes.map { try $0.get() }
            #expect(receipts.count == 2)
            let seal = try seal(after: receipts[0], in: f)
            #expect(seal.authentication == authentication)
            #expect(seal.outcomes == receipts.map { .landed(index: $0.index) })
        }
        // An org-signed batch beside them keeps the original seal format.
        let signed = try await f.submit([LedgerFixture.payload(99)])
        #expect(try seal(after: signed[0], in: f).authentication == nil)

        let live = try f.verify()
        #expect(live.isValid, "\(live)")
        #expect(live.seals == 4)
        f.shutdown()
        let offline = try f.verify()
        #expect(offline.isValid, "\(offline)")
    }

    @Test func aSignedRequestWhoseOrgSignatureIsFalseIsNamedByVerify() async throws {
        let f = try await LedgerFixture()
        _ = try await f.submit([LedgerFixture.payload(1)])
        // The engine trusts its front end; an auditor does not: a signature by another key is found offline.
        let forged = try signedRequest(f, key: SM2PrivateKey(), request: Array("request".utf8))
        let receipts = try await f.ledger.submit(attested(f, [LedgerFixture.payload(2)], forged)).map { try $0.get() }
        f.shutdown()
        let report = try f.verify()
        #expect(!report.isValid)
        #expect(report.firstDivergence?.index == receipts[0].treeSize - 1)
        #expect(report.firstDivergence?.reason.contains("signature over the call /yibao.v1.InvoiceService/IssueInvoices") == true)
    }

    @Test func aRetryWithFreshAuthenticationAnswersTheOriginalReceipts() async throws {
        let f = try await LedgerFixture()
        let payloads = [LedgerFixture.payload(1), LedgerFixture.payload(2)]
        let first = try await f.ledger.submit(attested(f, payloads, try signedRequest(f, key: f.orgKey, request: [1], timestampMs: 1),
                                                       requestId: "retry-1")).map { try $0.get() }
        // The client signs its retry anew (a later timestamp); the records are the same, so the batch is.
        let again = try await f.ledger.submit(attested(f, payloads, try signedRequest(f, key: f.orgKey, request: [1], timestampMs: 2),
                                                       requestId: "retry-1")).map { try $0.get() }
        #expect(again == first)
        await #expect(throws: LedgerError(.alreadyExists, "request id 'retry-1' of org \(LedgerFixture.org) was already used for a different batch (sealed at index \(first[0].treeSize - 1))")) {
            _ = try await f.ledger.submit(attested(f, [LedgerFixture.payload(3)], .development, requestId: "retry-1"))
        }
    }

    @Test func attestationsTheSealCannotHoldAreRefusedWithTheirField() async throws {
        let f = try await LedgerFixture()
        let longMethod = "/" + String(repeating: "m", count: 300)
        let tooLong = BatchAuthentication.signedRequest(method: longMethod, timestampMs: 1, requestDigest: .zero, signature: [1])
        await #expect(throws: LedgerError(.invalidArgument, "authentication: a method over 255 bytes, a signature over 128 bytes or a fingerprint that is not 32 bytes")) {
            _ = try await f.ledger.submit(attested(f, [LedgerFixture.payload(1)], tooLong))
        }
        await #expect(throws: LedgerError.self) {
            _ = try await f.ledger.submit(attested(f, [LedgerFixture.payload(1)], .mutualTLS(certificateSHA256: [1, 2, 3])))
        }
        let stranger = SignedBatch.attested(org: "NOT-REGISTERED", requestId: "r", records: [LedgerRecord(kind: .attestation, payload: [1])],
                                            authentication: .development)
        await #expect(throws: LedgerError(.unauthenticated, "org NOT-REGISTERED is not in the registry")) {
            _ = try await f.ledger.submit(stranger)
        }
    }
}
