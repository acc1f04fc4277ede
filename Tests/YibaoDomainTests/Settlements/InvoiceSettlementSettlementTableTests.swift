import Foundation
import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// The settlement lifecycle (UPLOADED ──revoke──► REVOKED) through the ledger as a table: every state × every
/// command × the orgs that may and may not send it, with the exact outcome.
@Suite struct InvoiceSettlementSettlementTableTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords

    enum Expected: Sendable {
        /// Lands; the settlement's summary afterwards.
        case lands(String)
        /// An idempotent repeat: the upload's original receipt.
        case repeatsUpload
        case refused(LedgerError.Code, String)
    }

    static let h = L.hospital
    static let table: [(state: String, command: String, org: String, expected: Expected)] = [
        ("none", "upload", h, .lands("UPLOADED by org \(h)")),
        ("none", "revoke", h, .refused(.notFound, "settlement <S> does not exist; cannot revoke")),
        ("none", "revoke", L.bureauA, .refused(.notFound, "settlement <S> does not exist; cannot revoke")),
        ("none", "revoke wrong visit", h, .refused(.notFound, "settlement <S> does not exist; cannot revoke")),

        ("uploaded", "upload", h, .repeatsUpload),
        ("uploaded", "upload changed", h, .refused(.alreadyExists, "settlement <S> already exists (UPLOADED by org \(h)) with different content")),
        ("uploaded", "revoke", h, .lands("REVOKED by org \(h)")),
        ("uploaded", "revoke", L.bureauA, .lands("REVOKED by org \(L.bureauA)")),
        ("uploaded", "revoke", L.otherHospital,
         .refused(.permissionDenied, "role hospital (org \(L.otherHospital)) may not revoke_settlement: the record belongs to \(h), not to it")),
        ("uploaded", "revoke", L.foreignBureau,
         .refused(.permissionDenied, "role insurance_bureau (org \(L.foreignBureau)) may not revoke_settlement: the record's region 460106 is outside its region 11")),
        ("uploaded", "revoke", L.platform, .refused(.permissionDenied, "role invoice_platform (org \(L.platform)) may not revoke_settlement")),
        ("uploaded", "revoke wrong visit", h, .refused(.invalidArgument, "records[0].mdtrt_id: 'M9' does not match settlement <S>")),
        ("uploaded", "revoke wrong person", h, .refused(.invalidArgument, "records[0].psn_no: 'P9' does not match settlement <S>")),

        ("revoked", "upload", h, .repeatsUpload),
        ("revoked", "upload changed", h, .refused(.alreadyExists, "settlement <S> already exists (REVOKED by org \(h)) with different content")),
        ("revoked", "revoke", h, .refused(.failedPrecondition, "settlement <S> is REVOKED by org \(h); cannot revoke")),
        ("revoked", "revoke", L.bureauA, .refused(.failedPrecondition, "settlement <S> is REVOKED by org \(h); cannot revoke")),
        ("revoked", "revoke", L.otherHospital,
         .refused(.permissionDenied, "role hospital (org \(L.otherHospital)) may not revoke_settlement: the record belongs to \(h), not to it")),
    ]

    @Test func everySettlementTransition() async throws {
        let l = try await L()
        defer { l.shutdown() }
        for (row, entry) in Self.table.enumerated() {
            let settlement = L.settlement("T\(row)")
            var upload: Receipt?
            if entry.state != "none" { upload = try await l.landed(h(), Records.upload([settlement])[0]) }
            if entry.state == "revoked" { try await l.landed(h(), Records.revoke(L.revocation(of: settlement))) }
            let before = try l.service.settlement(settlement.setlId)
            var revocation = L.revocation(of: settlement)
            var changed = settlement
            changed.balc += 1
            let record: LedgerRecord
            switch entry.command {
            case "upload": record = Records.upload([settlement])[0]
            case "upload changed": record = Records.upload([changed])[0]
            case "revoke wrong visit":
                revocation.mdtrtId = "M9"
                record = Records.revoke(revocation)
            case "revoke wrong person":
                revocation.psnNo = "P9"
                record = Records.revoke(revocation)
            default: record = Records.revoke(revocation)
            }
            let outcome = try await l.submit(entry.org, record)
            let after = try l.service.settlement(settlement.setlId)
            let label = "\(entry.state) \(entry.command) by \(entry.org)"
            switch entry.expected {
            case .lands(let summary):
                #expect((try? outcome.get()) != nil, "\(label): \(outcome)")
                #expect(after?.state.summary == summary, "\(label)")
            case .repeatsUpload:
                // The original entry (its tree size is the current one, which a proof may use).
                let receipt = try outcome.get()
                #expect(receipt.index == upload?.index && receipt.transactionHash == upload?.transactionHash
                        && receipt.commitTimeMs == upload?.commitTimeMs, "\(label)")
                #expect(after == before, "\(label)")
            case .refused(let code, let message):
                #expect(outcome == .failure(LedgerError(code, message.replacingOccurrences(of: "<S>", with: settlement.setlId))), "\(label)")
                #expect(after == before, "\(label): a refusal changed the state")
            }
        }
        try l.verifyFully()
    }

    private func h() -> String { L.hospital }

    @Test func aBatchRepeatingARecordGetsTheFirstOnesReceiptTwice() async throws {
        let l = try await L()
        defer { l.shutdown() }
        let blue = L.blue(1)
        let settlement = L.settlement("S1")
        let invoices = try await l.submit(L.platform, Records.issue([blue, blue]))
        #expect(try invoices[0].get().index == invoices[1].get().index)
        let settlements = try await l.submit(L.hospital, Records.upload([settlement, settlement, L.settlement("S2")]))
        #expect(try settlements[0].get().index == settlements[1].get().index)
        #expect(try settlements[2].get().index == settlements[0].get().index + 1)
        try l.verifyFully()
    }
}
