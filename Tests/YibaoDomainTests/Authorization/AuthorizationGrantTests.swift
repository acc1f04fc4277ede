import Foundation
import Testing
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// Authorization (授权管理) through a real ledger: grants by operator orgs, the channel read check, revocation,
/// the period, usage records (渠道授权登记), and the refusals with their codes and messages.
@Suite struct AuthorizationGrantTests {
    typealias L = InvoiceSettlementLedger
    typealias Records = InvoiceSettlementRecords
    typealias A = DigitalAccountTests

    static let channel = "C1"
    static let otherChannel = "C2"
    static let hour: UInt64 = 3_600_000

    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// A ledger with two channels, invoices 1 and 2 of the person and 3 of someone else.
    static func ledger() async throws -> L {
        let l = try await L()
        try await l.register(channel, role: .channel)
        try await l.register(otherChannel, role: .channel)
        let issued = try await l.submit(L.platform, Records.issue([A.invoice(1), A.invoice(2), A.invoice(3, payer: A.otherCertno)]))
        #expect(issued.allSatisfy { (try? $0.get()) != nil })
        return l
    }

    static func grant(_ scope: GrantScope, _ invoices: [Invoice] = [], to channel: String = channel, from: UInt64, until: UInt64,
                      certno: String = A.certno) -> LedgerRecord {
        AuthorizationRecords.grant(AuthorizationGrant(certno: certno, channel: channel, scope: scope,
                                                      invoices: invoices.map(L.reference), validFromMs: from, validUntilMs: until,
                                                      purpose: "商保理赔"))
    }

    static func denied(_ l: L, _ channel: String, _ invoice: Invoice) -> LedgerError {
        LedgerError(.permissionDenied,
                    "no live grant of person \(l.service.personKey(certno: invoice.payerCode)) covers invoice \(invoice.key) for channel \(channel)")
    }

    @Test func aNamedGrantOpensItsInvoiceToItsChannelUntilRevoked() async throws {
        let l = try await Self.ledger()
        defer { l.shutdown() }
        let now = Self.now()
        let invoice1 = A.invoice(1), invoice2 = A.invoice(2)
        let id = try await l.service.grant(try l.signed(L.platform, [Self.grant(.namedInvoices, [invoice1], from: now - Self.hour, until: now + Self.hour)]))
        let stored = try #require(try l.service.grant(id: id))
        #expect(stored.status == .live && stored.operatorOrg == L.platform && stored.channel == Self.channel)
        #expect(stored.invoices == [invoice1.key] && stored.person == l.service.personKey(certno: A.certno))
        #expect(try l.ledger.entry(at: stored.grantIndex).leafHash == id)

        // The channel may read invoice 1 now; not invoice 2, not another channel, not outside the period.
        #expect(try l.service.authorizeChannelRead(channel: Self.channel, invoice: invoice1.key, at: now) == stored)
        #expect(throws: Self.denied(l, Self.channel, invoice2)) {
            try l.service.authorizeChannelRead(channel: Self.channel, invoice: invoice2.key, at: now)
        }
        #expect(throws: Self.denied(l, Self.otherChannel, invoice1)) {
            try l.service.authorizeChannelRead(channel: Self.otherChannel, invoice: invoice1.key, at: now)
        }
        #expect(throws: Self.denied(l, Self.channel, invoice1)) {
            try l.service.authorizeChannelRead(channel: Self.channel, invoice: invoice1.key, at: now + 2 * Self.hour)
        }
        #expect(throws: Self.denied(l, Self.channel, invoice1)) {
            try l.service.authorizeChannelRead(channel: Self.channel, invoice: invoice1.key, at: now - 2 * Self.hour)
        }
        #expect(throws: LedgerError(.permissionDenied, "no live grant covers invoice 46010624/0000000099 for channel C1")) {
            try l.service.authorizeChannelRead(channel: Self.channel, invoice: L.key(99), at: now)
        }

        // Revocation needs the person's certno; then the read is denied with the exact message.
        let wrongPerson = AuthorizationRecords.revoke(GrantRevocation(grantId: id, certno: A.otherCertno))
        #expect(try await l.refusal(L.platform, wrongPerson)
                == LedgerError(.permissionDenied, "grant \(id) was not given by this person; cannot revoke"))
        let revocation = AuthorizationRecords.revoke(GrantRevocation(grantId: id, certno: A.certno, reason: "用户撤销"))
        let revoked = try await l.service.revokeGrant(try l.signed(L.bureauA, [revocation]))
        #expect(try l.service.grant(id: id)?.summary == "REVOKED at index \(revoked.index) by org \(L.bureauA)")
        #expect(throws: Self.denied(l, Self.channel, invoice1)) {
            try l.service.authorizeChannelRead(channel: Self.channel, invoice: invoice1.key, at: now)
        }
        #expect(try await l.refusal(L.platform, revocation)
                == LedgerError(.failedPrecondition, "grant \(id) is REVOKED at index \(revoked.index) by org \(L.bureauA); cannot revoke"))
        let unknown = Digest32(bytes: [UInt8](repeating: 9, count: 32))!
        #expect(try await l.refusal(L.platform, AuthorizationRecords.revoke(GrantRevocation(grantId: unknown, certno: A.certno)))
                == LedgerError(.notFound, "grant \(unknown) does not exist; cannot revoke"))
        try l.verifyFully()
    }

    @Test func aGrantOfAllInvoicesCoversThePersonsInvoicesOnly() async throws {
        let l = try await Self.ledger()
        defer { l.shutdown() }
        let now = Self.now()
        let id = try await l.service.grant(try l.signed(L.bureauA, [Self.grant(.allInvoices, from: now - Self.hour, until: now + Self.hour)]))
        for n in [1, 2] {
            #expect(try l.service.authorizeChannelRead(channel: Self.channel, invoice: A.invoice(n).key, at: now).id == id)
        }
        let foreign = A.invoice(3, payer: A.otherCertno)
        #expect(throws: Self.denied(l, Self.channel, foreign)) {
            try l.service.authorizeChannelRead(channel: Self.channel, invoice: foreign.key, at: now)
        }
        // An invoice issued after the grant is covered too: the scope is the account, not a list.
        try await l.landed(L.platform, Records.issue([A.invoice(4)])[0])
        #expect(try l.service.authorizeChannelRead(channel: Self.channel, invoice: A.invoice(4).key, at: now).id == id)
        // Newest first in the person's list.
        let second = try await l.service.grant(try l.signed(L.platform, [Self.grant(.namedInvoices, [A.invoice(2)], to: Self.otherChannel, from: now, until: now + Self.hour)]))
        #expect(try l.service.listGrants(certno: A.certno).map(\.id) == [second, id])
        #expect(try l.service.listGrants(certno: A.otherCertno).isEmpty)
        try l.verifyFully()
    }

    @Test func usageIsRecordedByTheGrantsChannelOnly() async throws {
        let l = try await Self.ledger()
        defer { l.shutdown() }
        let now = Self.now()
        let invoice1 = A.invoice(1)
        let id = try await l.service.grant(try l.signed(L.platform, [Self.grant(.namedInvoices, [invoice1], from: now - Self.hour, until: now + Self.hour)]))
        let usage = GrantUsage(grantId: id, invoice: invoice1.key, readTimeMs: now, purpose: "理赔审核")
        let first = try await l.service.recordUsage(try l.signed(Self.channel, [AuthorizationRecords.recordUsage(usage)]))
        let second = try await l.service.recordUsage(try l.signed(Self.channel, [AuthorizationRecords.recordUsage(usage)]))
        #expect(try l.service.listUsage(grant: id) == [GrantUsageRecord(index: first.index, readTimeMs: now, invoice: invoice1.key),
                                                       GrantUsageRecord(index: second.index, readTimeMs: now, invoice: invoice1.key)])
        #expect(try l.service.listUsage(grant: id, after: first.index).map(\.index) == [second.index])
        #expect(try l.service.grant(id: id)?.usages == 2)

        // Someone else's grant, an invoice the grant does not name, a read outside the period.
        #expect(try await l.refusal(Self.otherChannel, AuthorizationRecords.recordUsage(usage))
                == LedgerError(.permissionDenied, "role channel (org C2) may not record_grant_usage: it holds no live grant covering the record"))
        var uncovered = usage
        uncovered.invoice = A.invoice(2).key
        #expect(try await l.refusal(Self.channel, AuthorizationRecords.recordUsage(uncovered))
                == LedgerError(.permissionDenied, "grant \(id) does not cover invoice \(A.invoice(2).key)"))
        var late = usage
        late.readTimeMs = now - 2 * Self.hour
        #expect(try await l.refusal(Self.channel, AuthorizationRecords.recordUsage(late))
                == LedgerError(.failedPrecondition, "grant \(id) is valid from \(now - Self.hour) until \(now + Self.hour); the read at \(now - 2 * Self.hour) is outside it"))
        // Only channels record usage at all; after revocation not even the channel.
        #expect(try await l.refusal(L.platform, AuthorizationRecords.recordUsage(usage))?.message
                == "role invoice_platform (org \(L.platform)) may not record_grant_usage")
        try await l.service.revokeGrant(try l.signed(L.platform, [AuthorizationRecords.revoke(GrantRevocation(grantId: id, certno: A.certno))]))
        #expect(try await l.refusal(Self.channel, AuthorizationRecords.recordUsage(usage))
                == LedgerError(.permissionDenied, "role channel (org C1) may not record_grant_usage: it holds no live grant covering the record"))
        #expect(try l.service.listUsage(grant: id).count == 2)
        try l.verifyFully()
    }

    @Test func grantsAreRefusedToTheWrongRolesAndForOthersInvoices() async throws {
        let l = try await Self.ledger()
        defer { l.shutdown() }
        let now = Self.now()
        let named = Self.grant(.namedInvoices, [A.invoice(1)], from: now, until: now + Self.hour)
        #expect(try await l.refusal(L.hospital, named)?.message == "role hospital (org \(L.hospital)) may not grant_access")
        #expect(try await l.refusal(Self.channel, named)?.message == "role channel (org C1) may not grant_access")
        #expect(try await l.refusal(L.auditor, named)?.message == "role auditor (org \(L.auditor)) may not grant_access: the role is read-only")
        // Someone else's invoice, a wrong check code, an invoice not on the ledger.
        let foreign = A.invoice(3, payer: A.otherCertno)
        #expect(try await l.refusal(L.platform, Self.grant(.namedInvoices, [foreign], from: now, until: now + Self.hour))
                == LedgerError(.permissionDenied, "invoice \(foreign.key) is not an invoice of the granting person; cannot grant"))
        var wrongCode = A.invoice(1)
        wrongCode.checkCode = "XXXXXX"
        #expect(try await l.refusal(L.platform, Self.grant(.namedInvoices, [A.invoice(2), wrongCode], from: now, until: now + Self.hour))
                == LedgerError(.invalidArgument, "records[0].invoices[1].check_code: does not match invoice \(wrongCode.key)"))
        #expect(try await l.refusal(L.platform, Self.grant(.namedInvoices, [A.invoice(9)], from: now, until: now + Self.hour))
                == LedgerError(.notFound, "invoice \(A.invoice(9).key) does not exist; cannot grant"))
        // Shape: a period the wrong way round, too long, already over; named without invoices; all with some.
        #expect(try await l.refusal(L.platform, Self.grant(.allInvoices, from: now, until: now))?.message
                == "records[0].valid_until_ms: must be after valid_from_ms \(now), got \(now)")
        #expect(try await l.refusal(L.platform, Self.grant(.allInvoices, from: now, until: now + 367 * 24 * Self.hour))?.code == .invalidArgument)
        #expect(try await l.refusal(L.platform, Self.grant(.allInvoices, from: now - 2 * Self.hour, until: now - Self.hour))?.code == .failedPrecondition)
        #expect(try await l.refusal(L.platform, Self.grant(.namedInvoices, from: now, until: now + Self.hour))?.message
                == "records[0].invoices: must name 1 to 50 invoices for scope named invoices, got 0")
        #expect(try await l.refusal(L.platform, Self.grant(.allInvoices, [A.invoice(1)], from: now, until: now + Self.hour))?.message
                == "records[0].invoices: must be empty for scope all invoices, got 1")
        #expect(try l.service.listGrants(certno: A.certno).isEmpty)
        try l.verifyFully()
    }

    @Test func shapeRefusalsOfUsageAndServiceBatches() async throws {
        let l = try await Self.ledger()
        defer { l.shutdown() }
        let now = Self.now()
        let id = try await l.service.grant(try l.signed(L.platform, [Self.grant(.allInvoices, from: now - Self.hour, until: now + Self.hour)]))
        // A read claimed well after the entry's commit time; a usage of a grant that does not exist.
        let future = GrantUsage(grantId: id, invoice: A.invoice(1).key, readTimeMs: now + Self.hour / 2)
        #expect(try await l.refusal(Self.channel, AuthorizationRecords.recordUsage(future))?.message.hasPrefix("records[0].read_time_ms: ") == true)
        let unknown = Digest32(bytes: [UInt8](repeating: 5, count: 32))!
        #expect(try await l.refusal(Self.channel, AuthorizationRecords.recordUsage(GrantUsage(grantId: unknown, invoice: A.invoice(1).key, readTimeMs: now)))
                == LedgerError(.notFound, "grant \(unknown) does not exist; cannot record usage"))
        // Duplicate named invoices; the service's one-record batches.
        #expect(try await l.refusal(L.platform, Self.grant(.namedInvoices, [A.invoice(1), A.invoice(1)], from: now, until: now + Self.hour))?.message
                == "records[0].invoices[1]: names invoice \(A.invoice(1).key) twice")
        let two = Self.grant(.allInvoices, from: now, until: now + Self.hour)
        await #expect(throws: LedgerError(.invalidArgument, "records: the batch must hold exactly one authorization_granted record")) {
            _ = try await l.service.grant(try l.signed(L.platform, [two, two]))
        }
        await #expect(throws: LedgerError(.permissionDenied, "role hospital (org \(L.hospital)) may not grant_access")) {
            _ = try await l.service.grant(try l.signed(L.hospital, [two]))
        }
        try l.verifyFully()
    }

    @Test func payloadsRoundTripCanonically() throws {
        let grant = AuthorizationGrant(certno: A.certno, channel: "C1", scope: .namedInvoices,
                                       invoices: [L.reference(A.invoice(1))], validFromMs: 1, validUntilMs: 2, purpose: "p")
        #expect(try AuthorizationGrant(decoding: grant.encoded) == grant)
        let revocation = GrantRevocation(grantId: Digest32(bytes: [UInt8](repeating: 3, count: 32))!, certno: A.certno, reason: "r")
        #expect(try GrantRevocation(decoding: revocation.encoded) == revocation)
        let usage = GrantUsage(grantId: revocation.grantId, invoice: A.invoice(1).key, readTimeMs: 5)
        #expect(try GrantUsage(decoding: usage.encoded) == usage)
        // The certno travels in the sealable PII section only.
        let pii = try DomainPayload.piiSectionRange(of: grant.encoded)
        #expect(Array(grant.encoded[pii]).suffix(A.certno.utf8.count).elementsEqual(A.certno.utf8))
        #expect(throws: FormatError.self) { try AuthorizationGrant(decoding: grant.encoded + [0]) }
    }
}
