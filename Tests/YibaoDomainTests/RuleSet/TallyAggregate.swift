import YibaoCrypto
@testable import YibaoDomain
import YibaoLedger

/// The smallest aggregate, the example of docs/extending.md: a record counts one more visit of a named desk. Its
/// state is one counter per desk; any org of a domain role may count.
enum TallyAggregate {
    static let counted = EntryKind(250, "desk_counted")
    static let database = "desk_tallies"
    /// A desk name is 1 to 32 bytes.
    static let maxDeskBytes = 32

    static let registration = AggregateRegistration(
        name: "desk tallies", kinds: [counted], databaseNames: [database], operations: [],
        admit: { record, position, _, caller, _ in
            Result { () throws(LedgerError) in
                _ = try caller.get()
                guard record.payload.count <= maxDeskBytes else {
                    throw LedgerError(.invalidArgument, field: "records[\(position)].payload",
                                      "a desk name is at most \(maxDeskBytes) bytes")
                }
                return nil
            }
        },
        apply: { record, _, state in
            let bytes = StateBytes(state: state)
            let count = try bytes.get(database, record.payload).flatMap(StateBytes.u64(from:)) ?? 0
            try bytes.put(database, record.payload, StateBytes.u64(count + 1))
            return .append
        })

    static func count(of desk: String, in state: StateTransaction) throws -> UInt64 {
        try StateBytes(state: state).get(database, Array(desk.utf8)).flatMap(StateBytes.u64(from:)) ?? 0
    }
}
