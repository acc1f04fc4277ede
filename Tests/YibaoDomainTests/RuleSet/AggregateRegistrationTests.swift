import Testing
import YibaoLedgerTestSupport
import YibaoCrypto
@testable import YibaoDomain
@testable import YibaoLedger

/// A rule set is its list of aggregates: registering one adds its kinds and databases, a list in which two claim
/// one kind or database is refused, and the registered aggregate's records apply and replay on a real ledger.
@Suite struct AggregateRegistrationTests {
    static func rulesWithTally() throws -> DomainRules {
        try DomainRules(aggregates: InvoiceSettlementRules.aggregates + [TallyAggregate.registration], stateFormat: 2)
    }

    @Test func theNodesRulesAreTheirAggregatesKindsAndDatabases() {
        let rules = InvoiceSettlementRules()
        #expect(rules.kinds.map(\.rawValue) == (EntryKind.invoiceAndSettlementKinds + EntryKind.authorizationKinds).map(\.rawValue))
        #expect(rules.databaseNames == InvoiceSettlementStore.databaseNames + DigitalAccountStore.databaseNames
            + AuthorizationStore.databaseNames)
        #expect(rules.stateFormat == 2)
        #expect(rules.retiredDatabaseNames == ["account_records", "person_index"])
    }

    @Test func registeringAnAggregateAddsItsKindsAndDatabases() throws {
        let rules = try Self.rulesWithTally()
        let node = InvoiceSettlementRules()
        #expect(rules.kinds.map(\.rawValue) == node.kinds.map(\.rawValue) + [250])
        #expect(rules.databaseNames == node.databaseNames + [TallyAggregate.database])
    }

    @Test func twoAggregatesClaimingOneKindAreRefused() {
        let twin = AggregateRegistration(name: "twin", kinds: [EntryKind(121, "twin_of_revocation")], databaseNames: [],
                                         operations: [], admit: TallyAggregate.registration.admit,
                                         apply: TallyAggregate.registration.apply)
        #expect(throws: AggregateRegistrationError(description: "twin: kind 121 (twin_of_revocation) is already authorization's")) {
            try DomainRules(aggregates: InvoiceSettlementRules.aggregates + [twin], stateFormat: 2)
        }
    }

    @Test func twoAggregatesClaimingOneDatabaseOrOperationOrAnEngineKindAreRefused() {
        func refusal(_ kinds: [EntryKind], _ databases: [String], _ operations: [DomainOperation]) -> String? {
            let other = AggregateRegistration(name: "other", kinds: kinds, databaseNames: databases, operations: operations,
                                              admit: TallyAggregate.registration.admit, apply: TallyAggregate.registration.apply)
            do {
                _ = try DomainRules(aggregates: [TallyAggregate.registration, other], stateFormat: 1)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal([EntryKind(251, "x")], [TallyAggregate.database], []) == "other: state database 'desk_tallies' is already desk tallies's")
        #expect(refusal([EntryKind(251, "x")], ["x"], [.grantAccess]) == nil)
        #expect(refusal([EntryKind(99, "low")], ["x"], []) == "other: kind 99 (low) is below 100, the engine's own kinds")
        #expect(throws: AggregateRegistrationError.self) {
            try DomainRules(aggregates: InvoiceSettlementRules.aggregates + [
                AggregateRegistration(name: "o", kinds: [], databaseNames: [], operations: [.issueInvoice],
                                      admit: TallyAggregate.registration.admit, apply: TallyAggregate.registration.apply),
            ], stateFormat: 2)
        }
    }

    @Test func aRegisteredAggregatesRecordsApplyRefuseAndReplay() async throws {
        var configuration = LedgerFixture.fastConfiguration()
        configuration.stateMachine = try Self.rulesWithTally()
        let fixture = try await LedgerFixture(configuration: configuration)
        defer { fixture.shutdown() }
        let records = ["front", "front", "x-ray", String(repeating: "d", count: 33)]
            .map { LedgerRecord(kind: TallyAggregate.counted, payload: Array($0.utf8)) }
        let batch = try SignedBatch.signing(org: LedgerFixture.org, requestId: "tally-1", records: records, key: fixture.orgKey)
        let outcomes = try await fixture.ledger.submit(batch)
        #expect(outcomes.prefix(3).allSatisfy { if case .success = $0 { true } else { false } })
        guard case .failure(let refusal) = outcomes[3] else { Issue.record("an oversized desk landed"); return }
        #expect(refusal.field == RefusedField(path: "records[3].payload", rule: "a desk name is at most 32 bytes"))
        #expect(try fixture.ledger.readState { try TallyAggregate.count(of: "front", in: $0) } == 2)
        #expect(try fixture.ledger.readState { try TallyAggregate.count(of: "x-ray", in: $0) } == 1)
        let report = try fixture.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.stateDatabases == InvoiceSettlementRules().databaseNames.count + 1)
    }
}
