import Testing
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// UPLOADED → REVOKED, idempotent identical re-uploads, ALREADY_EXISTS for a different payload.
@Suite struct SettlementLifecycleTests {
    static let s = "S460106202403010001"
    static let hospital = DomainFixtures.hospital

    static func revocation(mdtrtId: String = "M460106202403010001", psnNo: String = "46000012345678") -> SettlementRevocation {
        SettlementRevocation(setlId: s, mdtrtId: mdtrtId, psnNo: psnNo, revokeTime: "2024-03-02 10:00:00", reason: "退费")
    }

    @Test func uploadRevokeAndRepeat() throws {
        let settlement = DomainFixtures.settlement()
        let uploaded = try SettlementLifecycle.apply(.upload(settlement), to: nil, by: Self.hospital)
        #expect(uploaded.status == .uploaded && uploaded.summary == "UPLOADED by org \(Self.hospital)")
        #expect(try uploaded.apply(.upload(settlement), by: Self.hospital) == uploaded)

        var changed = settlement
        changed.psnCashPay += 1
        #expect(throws: LedgerError(.alreadyExists, "settlement \(Self.s) already exists (UPLOADED by org \(Self.hospital)) with different content")) {
            try uploaded.apply(.upload(changed), by: Self.hospital)
        }
        #expect(throws: LedgerError(.alreadyExists, "settlement \(Self.s) already exists (UPLOADED by org \(Self.hospital)) with different content")) {
            try uploaded.apply(.upload(settlement), by: "H46010600002")
        }

        let revoked = try uploaded.apply(.revoke(Self.revocation()), by: "B4601")
        #expect(revoked.status == .revoked && revoked.revokingOrg == "B4601")
        #expect(throws: LedgerError(.failedPrecondition, "settlement \(Self.s) is REVOKED by org B4601; cannot revoke")) {
            try revoked.apply(.revoke(Self.revocation()), by: Self.hospital)
        }
        // A late retry of the original upload is still the same fact: no new entry, no error.
        #expect(try revoked.apply(.upload(settlement), by: Self.hospital) == revoked)
        #expect(throws: LedgerError(.alreadyExists, "settlement \(Self.s) already exists (REVOKED by org B4601) with different content")) {
            try revoked.apply(.upload(changed), by: Self.hospital)
        }
    }

    @Test func revocationMustNameTheSameVisitAndPerson() throws {
        let uploaded = SettlementState(uploading: DomainFixtures.settlement(), by: Self.hospital)
        #expect(throws: LedgerError(.invalidArgument, "mdtrt_id: 'M9' does not match settlement \(Self.s)")) {
            try uploaded.apply(.revoke(Self.revocation(mdtrtId: "M9")), by: Self.hospital)
        }
        #expect(throws: LedgerError(.invalidArgument, "psn_no: 'P9' does not match settlement \(Self.s)")) {
            try uploaded.apply(.revoke(Self.revocation(psnNo: "P9")), by: Self.hospital)
        }
        var other = Self.revocation()
        other.setlId = "S9"
        #expect(throws: LedgerError(.invalidArgument, "the command names settlement S9, not \(Self.s)")) {
            try uploaded.apply(.revoke(other), by: Self.hospital)
        }
    }

    @Test func revokingWhatWasNeverUploaded() {
        #expect(throws: LedgerError(.notFound, "settlement \(Self.s) does not exist; cannot revoke")) {
            try SettlementLifecycle.apply(.revoke(Self.revocation()), to: nil, by: Self.hospital)
        }
    }

    @Test func operationPayloadRules() {
        var revocation = Self.revocation()
        revocation.revokeTime = "yesterday"
        #expect(revocation.problems(at: "r") == [LedgerError(.invalidArgument, "r.revoke_time: must be a time 'yyyy-MM-dd HH:mm:ss', got 'yesterday'")])
        let change = InvoiceStatusChange(action: .lock, reference: DomainFixtures.reference(checkCode: "abc"), operatedTime: "2024-3-1 1:2:3")
        #expect(change.problems().map(\.message) == ["check_code: must be 6 letters or digits, got 'abc'",
                                                     "operated_time: must be a time 'yyyy-MM-dd HH:mm:ss', got '2024-3-1 1:2:3'"])
        let exchange = PaperExchange(reference: DomainFixtures.reference(), exchangeTime: "")
        #expect(exchange.problems() == [LedgerError(.invalidArgument, "exchange_time: is required")])
        let link = InvoiceSettlementLink(reference: DomainFixtures.reference(), setlId: String(repeating: "9", count: 31))
        #expect(link.problems() == [LedgerError(.invalidArgument, "setl_id: must be at most 30 characters, got 31")])
        #expect(InvoiceStatusChange(action: .revokeEntry, reference: DomainFixtures.reference()).command
                == .revokeEntry(DomainFixtures.reference()))
        #expect(EntryKind.recording(.lock) == .invoiceLocked)
        #expect(Set(EntryKind.invoiceAndSettlementKinds.map(\.rawValue)).count == EntryKind.invoiceAndSettlementKinds.count)
    }
}
