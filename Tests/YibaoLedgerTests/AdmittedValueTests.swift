import Foundation
import Synchronization
import Testing
import YibaoCrypto
import YibaoLedger
import YibaoLedgerTestSupport

/// A rule set whose admission decodes the record into a type of its own and whose batch scope is the org as
/// admission saw it; `apply` notes what reached it, so the test can tell the writer's path from replay's.
struct NotedKeys: LedgerStateMachine {
    static let note = EntryKind(201, "note")

    /// What admission made of one record.
    struct DecodedKey: Sendable, Equatable {
        let key: String
        let admittedFor: String
    }

    /// What `apply` was handed, in the order it was called.
    final class Tally: Sendable {
        let seen = Mutex<[DecodedKey?]>([])
    }

    let tally: Tally
    var databaseNames: [String] { ["notes"] }
    var kinds: [EntryKind] { [Self.note] }

    func admissionScope(for org: OrgIdentity) -> String { "\(org.code)/\(org.role)" }

    func admit(_ record: LedgerRecord, position: Int, by org: OrgIdentity, scope: String,
               dataKey: NodeDataKey?) -> Result<DecodedKey?, LedgerError> {
        guard record.payload.count <= 16 else {
            return .failure(LedgerError(.invalidArgument, "records[\(position)].payload: a note key is at most 16 bytes"))
        }
        return .success(DecodedKey(key: String(decoding: record.payload, as: UTF8.self), admittedFor: scope))
    }

    func apply(_ record: AppliedRecord, admitted: DecodedKey?, in state: StateTransaction) throws -> ApplyOutcome {
        tally.seen.withLock { $0.append(admitted) }
        try record.payload.withUnsafeBytes { key in
            try Array(record.org.code.utf8).withUnsafeBytes { try state.txn.put(state.database("notes"), key: key, value: $0) }
        }
        return .append
    }
}

@Suite struct AdmittedValueTests {
    /// The value `admit` returned reaches `apply` as the rule set's own type, record by record, with the batch's
    /// scope in it; replay (the verifier) hands `apply` nothing and reaches the same state.
    @Test func admissionsValueReachesApplyAndReplayHandsNone() async throws {
        let tally = NotedKeys.Tally()
        var configuration = LedgerFixture.fastConfiguration()
        configuration.stateMachine = NotedKeys(tally: tally)
        let f = try await LedgerFixture(configuration: configuration)
        defer { f.shutdown() }
        let keys = ["alpha", "beta", String(repeating: "x", count: 17), "gamma"]
        let batch = try SignedBatch.signing(org: LedgerFixture.org, requestId: f.nextRequestId(),
                                            records: keys.map { LedgerRecord(kind: NotedKeys.note, payload: Array($0.utf8)) },
                                            key: f.orgKey)
        let outcomes = try await f.ledger.submit(batch)
        #expect(outcomes.map { (try? $0.get()) != nil } == [true, true, false, true])
        #expect(outcomes[2] == .failure(LedgerError(.invalidArgument, "records[2].payload: a note key is at most 16 bytes")))

        let scope = "\(LedgerFixture.org)/hospital"
        let written = tally.seen.withLock { $0 }
        #expect(written == ["alpha", "beta", "gamma"].map { NotedKeys.DecodedKey(key: $0, admittedFor: scope) })

        let report = try f.verify()
        #expect(report.isValid, "\(report)")
        #expect(report.stateDatabases == 1)
        let replayed = tally.seen.withLock { Array($0.dropFirst(written.count)) }
        #expect(replayed == [nil, nil, nil])
    }
}
