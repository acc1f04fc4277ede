import Testing
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// docs/requirements.md, Parties as a table: for every role and every operation, whether it is allowed on a record that is the
/// caller's (own org, own region, addressed to it, granted to it) and on one that is someone else's.
@Suite struct PermissionMatrixTests {
    typealias Op = DomainOperation

    static func caller(_ role: Role) -> Caller {
        Caller(role: role, org: "ORG1", region: role == .insuranceBureau ? "4601" : "")
    }

    static let own = RecordOwnership(owner: "ORG1", region: "460106", addressee: "ORG1", grantHolders: ["ORG1"])
    static let foreign = RecordOwnership(owner: "ORG2", region: "460200", addressee: "ORG2", grantHolders: ["ORG2"])

    static let reads: Set<Op> = [.readInvoice, .readSettlement, .reconcile, .readFundBatch, .readLedgerMetadata, .readEntry,
                                 .streamEntries]

    /// (allowed on own records, allowed on foreign records)
    static let matrix: [Role: (own: Set<Op>, foreign: Set<Op>)] = [
        .hospital: ([.uploadSettlement, .revokeSettlement, .linkInvoiceSettlement, .readInvoice, .readSettlement, .reconcile,
                     .readLedgerMetadata, .readEntry], [.readLedgerMetadata]),
        .invoicePlatform: ([.issueInvoice, .reverseInvoice, .exchangePaper, .readInvoice, .readLedgerMetadata, .grantAccess, .revokeGrant,
                            .readEntry],
                           [.issueInvoice, .reverseInvoice, .exchangePaper, .readInvoice, .readLedgerMetadata, .grantAccess, .revokeGrant]),
        .insuranceBureau: ([.lockInvoice, .unlockInvoice, .recordInvoiceEntry, .revokeInvoiceEntry, .revokeSettlement,
                            .submitFundBatch, .publishPolicy, .publishCatalog, .readInvoice, .readSettlement, .reconcile,
                            .readFundBatch, .readLedgerMetadata, .grantAccess, .revokeGrant, .readEntry], [.readLedgerMetadata]),
        .bank: ([.recordDisbursementResult, .readFundBatch, .readLedgerMetadata, .readEntry], [.readLedgerMetadata]),
        .channel: ([.recordGrantUsage, .readInvoice, .readSettlement, .readLedgerMetadata, .readEntry], [.readLedgerMetadata]),
        .auditor: (reads, reads),
        .regulator: (reads, reads),
        .nodeAdmin: ([.registerOrg, .rotateKey, .readLedgerMetadata, .readEntry], [.registerOrg, .rotateKey, .readLedgerMetadata]),
    ]

    @Test func everyRoleAndOperation() {
        #expect(Set(Self.matrix.keys) == Set(Role.allCases))
        var decisions = 0
        for role in Role.allCases {
            let expected = Self.matrix[role]!
            for operation in DomainOperation.allCases {
                for (record, allowed) in [(Self.own, expected.own), (Self.foreign, expected.foreign)] {
                    let outcome = Result { () throws(LedgerError) in try PermissionMatrix.authorize(Self.caller(role), operation, record) }
                    switch outcome {
                    case .success:
                        #expect(allowed.contains(operation), "\(role) \(operation) on \(record.owner!) should be refused")
                    case .failure(let error):
                        #expect(!allowed.contains(operation), "\(role) \(operation) on \(record.owner!) should be allowed")
                        #expect(error.code == .permissionDenied)
                        #expect(error.message.hasPrefix("role \(role.rawValue) (org ORG1) may not \(operation.rawValue)"))
                    }
                    decisions += 1
                }
            }
        }
        #expect(decisions == Role.allCases.count * DomainOperation.allCases.count * 2)
    }

    /// Raw ledger entries (GetEntry, StreamEntries): (role, entry, operation, allowed, audited).
    static let entryRows: [(Role, RecordOwnership, Op, Bool, Bool)] = [
        (.hospital, .ofEntry(org: "ORG1", kindNumber: 200), .readEntry, true, true),     // its own entry: PII, logged
        (.hospital, .ofEntry(org: "ORG2", kindNumber: 200), .readEntry, false, false),   // another org's: its PII
        (.hospital, .ofEntry(org: "NODE", kindNumber: EntryKind.genesis.rawValue), .readEntry, true, false),
        (.bank, .ofEntry(org: "NODE", kindNumber: EntryKind.batchSeal.rawValue), .readEntry, true, false),
        (.channel, .ofEntry(org: "NODE", kindNumber: EntryKind.auditAnchor.rawValue), .readEntry, true, false),
        (.channel, .ofEntry(org: "ORG2", kindNumber: 200), .readEntry, false, false),
        (.auditor, .ofEntry(org: "ORG2", kindNumber: 200), .readEntry, true, true),      // every auditor read is logged
        (.regulator, .ofEntry(org: "ORG2", kindNumber: 200), .readEntry, true, true),
        (.auditor, .none, .streamEntries, true, true),
        (.regulator, .none, .streamEntries, true, true),
        (.hospital, .none, .streamEntries, false, false),
        (.nodeAdmin, .none, .streamEntries, false, false),
    ]

    @Test func rawEntriesAreReadByTheirWriterTheNodesByAllEveryOneByAuditors() {
        for (role, entry, operation, allowed, audited) in Self.entryRows {
            let outcome = Result { () throws(LedgerError) in try PermissionMatrix.authorize(Self.caller(role), operation, entry) }
            switch outcome {
            case .success(let authorization):
                #expect(allowed, "\(role) \(operation) \(entry) should be refused")
                #expect((authorization == .allowedAudited) == audited, "\(role) \(operation) \(entry)")
            case .failure(let error):
                #expect(!allowed, "\(role) \(operation) \(entry) should be allowed: \(error)")
                #expect(error.code == .permissionDenied)
            }
        }
        #expect(throws: LedgerError(.permissionDenied, "role hospital (org ORG1) may not read_entry: it was written by org ORG2 and may hold its PII")) {
            try PermissionMatrix.authorize(Self.caller(.hospital), .readEntry, .ofEntry(org: "ORG2", kindNumber: 200))
        }
        #expect(throws: LedgerError(.permissionDenied, "role bank (org ORG1) may not stream_entries: only auditors and regulators read every entry")) {
            try PermissionMatrix.authorize(Self.caller(.bank), .streamEntries)
        }
    }

    @Test func refusalsSayWhy() {
        let hospital = Caller(role: .hospital, org: "H46010600001")
        #expect(throws: LedgerError(.permissionDenied, "role hospital (org H46010600001) may not lock_invoice")) {
            try PermissionMatrix.authorize(hospital, .lockInvoice, RecordOwnership(owner: "H46010600001"))
        }
        #expect(throws: LedgerError(.permissionDenied,
                                    "role hospital (org H46010600001) may not upload_settlement: the record belongs to H46010600002, not to it")) {
            try PermissionMatrix.authorize(hospital, .uploadSettlement, RecordOwnership(owner: "H46010600002"))
        }
        let bureau = Caller(role: .insuranceBureau, org: "B4601", region: "4601")
        #expect(throws: LedgerError(.permissionDenied,
                                    "role insurance_bureau (org B4601) may not lock_invoice: the record's region 460200 is outside its region 4601")) {
            try PermissionMatrix.authorize(bureau, .lockInvoice, RecordOwnership(region: "460200"))
        }
        #expect(throws: LedgerError(.permissionDenied,
                                    "role insurance_bureau (org B46) may not lock_invoice: the bureau has no region on record")) {
            try PermissionMatrix.authorize(Caller(role: .insuranceBureau, org: "B46"), .lockInvoice, RecordOwnership(region: "460106"))
        }
        #expect(throws: LedgerError(.permissionDenied, "role auditor (org A1) may not lock_invoice: the role is read-only")) {
            try PermissionMatrix.authorize(Caller(role: .auditor, org: "A1"), .lockInvoice)
        }
        #expect(throws: LedgerError(.permissionDenied,
                                    "role channel (org C1) may not read_invoice: it holds no live grant covering the record")) {
            try PermissionMatrix.authorize(Caller(role: .channel, org: "C1"), .readInvoice, RecordOwnership(owner: "H1"))
        }
        #expect(throws: LedgerError(.permissionDenied, "role bank (org K1) may not read_fund_batch: the fund batch is not addressed to it")) {
            try PermissionMatrix.authorize(Caller(role: .bank, org: "K1"), .readFundBatch, RecordOwnership(addressee: "K2"))
        }
    }

    @Test func readsOfPIIAndByAuditorsAreAudited() throws {
        #expect(try PermissionMatrix.authorize(Caller(role: .auditor, org: "A1"), .readFundBatch) == .allowedAudited)
        #expect(try PermissionMatrix.authorize(Caller(role: .auditor, org: "A1"), .readLedgerMetadata) == .allowedAudited)
        #expect(try PermissionMatrix.authorize(Caller(role: .hospital, org: "H1"), .readInvoice, RecordOwnership(owner: "H1")) == .allowedAudited)
        #expect(try PermissionMatrix.authorize(Caller(role: .hospital, org: "H1"), .uploadSettlement, RecordOwnership(owner: "H1")) == .allowed)
        #expect(try PermissionMatrix.authorize(Caller(role: .bank, org: "K1"), .readFundBatch, RecordOwnership(addressee: "K1")) == .allowed)
        #expect(try PermissionMatrix.authorize(Caller(role: .insuranceBureau, org: "B46", region: "46"), .publishPolicy) == .allowed)
    }

    @Test func institutionCodesCarryTheirRegion() {
        #expect(RecordOwnership.region(ofInstitution: "H46010600001") == "460106")
        #expect(RecordOwnership.region(ofInstitution: "46010600001") == nil)
        #expect(RecordOwnership.region(ofInstitution: "h46010600001") == nil)
    }
}
