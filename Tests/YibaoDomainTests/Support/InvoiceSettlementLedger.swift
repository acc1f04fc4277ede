import Foundation
import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// A real ledger with `InvoiceSettlementRules`, the service over it, and one org per role the rules need:
/// the hospital of `LedgerFixture`, a second hospital, the invoice platform, two bureaus of region 46 ("A" and "B",
/// named as the pure lifecycle table names them), a bureau of another province, and an auditor.
final class InvoiceSettlementLedger: @unchecked Sendable {
    static let hospital = LedgerFixture.org              // H46010600001
    static let otherHospital = "H46010600002"
    static let platform = DomainFixtures.platform
    static let bureauA = "A"
    static let bureauB = "B"
    static let foreignBureau = "B11"
    static let auditor = "AUD1"

    let fixture: LedgerFixture
    let service: InvoiceSettlementService
    private var keys: [String: SM2PrivateKey] = [:]
    private let counter = Counter()

    init(configuration: LedgerConfiguration? = nil) async throws {
        fixture = try await LedgerFixture(configuration: configuration
            ?? InvoiceSettlementService.configuration(LedgerFixture.fastConfiguration()))
        service = try InvoiceSettlementService(ledger: fixture.ledger)
        keys[Self.hospital] = fixture.orgKey
        let roles: [(String, String)] = [
            (Self.otherHospital, DomainCaller.roleName(.hospital)),
            (Self.platform, DomainCaller.roleName(.invoicePlatform)),
            (Self.bureauA, DomainCaller.roleName(.insuranceBureau, region: "46")),
            (Self.bureauB, DomainCaller.roleName(.insuranceBureau, region: "46")),
            (Self.foreignBureau, DomainCaller.roleName(.insuranceBureau, region: "11")),
            (Self.auditor, DomainCaller.roleName(.auditor)),
        ]
        for (org, role) in roles {
            let key = SM2PrivateKey()
            keys[org] = key
            try await fixture.ledger.registerOrg(code: org, role: role, publicKey: key.publicKey)
        }
    }

    var ledger: Ledger { fixture.ledger }

    /// Registers one more org (a channel, say) with a fresh key.
    func register(_ org: String, role: Role, region: String = "") async throws {
        let key = SM2PrivateKey()
        keys[org] = key
        try await fixture.ledger.registerOrg(code: org, role: DomainCaller.roleName(role, region: region), publicKey: key.publicKey)
    }

    func shutdown() { fixture.shutdown() }

    func signed(_ org: String, _ records: [LedgerRecord]) throws -> SignedBatch {
        try SignedBatch.signing(org: org, requestId: "\(org)-\(counter.next())", records: records, key: try #require(keys[org]))
    }

    /// Submits one batch by `org`; one outcome per record.
    func submit(_ org: String, _ records: [LedgerRecord]) async throws -> [RecordOutcome] {
        try await ledger.submit(try signed(org, records))
    }

    func submit(_ org: String, _ record: LedgerRecord) async throws -> RecordOutcome {
        try await submit(org, [record])[0]
    }

    /// Submits and requires success.
    @discardableResult
    func landed(_ org: String, _ record: LedgerRecord, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Receipt {
        switch try await submit(org, record) {
        case .success(let receipt): return receipt
        case .failure(let error):
            Issue.record("refused: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Submits and returns the refusal (nil if it landed).
    func refusal(_ org: String, _ record: LedgerRecord) async throws -> LedgerError? {
        if case .failure(let error) = try await submit(org, record) { return error }
        return nil
    }

    func verifyFully(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try fixture.verify()
        #expect(report.isValid, "\(report)", sourceLocation: sourceLocation)
        #expect(report.stateDatabases == InvoiceSettlementRules().databaseNames.count, sourceLocation: sourceLocation)
    }

    // MARK: records

    static func number(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    static func key(_ n: Int) -> InvoiceKey { InvoiceKey(invoiceCode: "46010624", invoiceNumber: number(n)) }

    /// The fixture's blue invoice under number `n`, naming `setlId` (none by default).
    static func blue(_ n: Int, setlId: String = "") -> Invoice {
        var invoice = DomainFixtures.blueInvoice()
        invoice.invoiceNumber = number(n)
        invoice.busNo = "MZ-\(n)"
        invoice.setlId = setlId
        return invoice
    }

    /// The red invoice `n` that reverses `blue`, mirroring it.
    static func red(_ n: Int, reversing blue: Invoice) -> Invoice {
        var red = blue
        red.invoiceNumber = number(n)
        red.checkCode = "Z9y8X7"
        red.colour = .red
        red.busNo = blue.busNo + "-R"
        for path in [\Invoice.totalAmount, \.fundPayAmount, \.accountPayAmount, \.ownPayAmount, \.selfPayAmount, \.otherPayAmount] {
            red[keyPath: path] = -blue[keyPath: path]
        }
        red.items = blue.items.map {
            InvoiceItem(code: $0.code, name: $0.name, quantity: ItemQuantity(tenThousandths: -$0.quantity.tenThousandths), amount: -$0.amount)
        }
        red.relatedInvoiceCode = blue.invoiceCode
        red.relatedInvoiceNumber = blue.invoiceNumber
        return red
    }

    static func reference(_ invoice: Invoice) -> InvoiceReference { InvoiceReference(invoice) }

    static func settlement(_ setlId: String, fixmedinsCode: String = hospital) -> Settlement {
        var settlement = DomainFixtures.settlement()
        settlement.setlId = setlId
        settlement.mdtrtId = "M-\(setlId)"
        settlement.fixmedinsCode = fixmedinsCode
        return settlement
    }

    static func revocation(of settlement: Settlement) -> SettlementRevocation {
        SettlementRevocation(setlId: settlement.setlId, mdtrtId: settlement.mdtrtId, psnNo: settlement.psnNo,
                             revokeTime: "2024-03-02 09:00:00", reason: "撤销")
    }
}

/// Unique request ids across concurrent tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
