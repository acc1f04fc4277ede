import YibaoCrypto

/// What a state machine admitted for each record of one batch, kept with the machine that admitted it, so that the
/// writer hands each value back to that machine's `apply` as the machine's own `Admitted` type: the one place the
/// engine meets a rule set's types, and it needs no cast.
protocol AdmittedRecords: Sendable {
    /// The batch's record at `position` applied by the machine that admitted it.
    func apply(_ record: AppliedRecord, at position: Int, in state: StateTransaction) throws -> ApplyOutcome
}

/// `AdmittedRecords` of one machine type; `values[position]` is nil for a record the machine did not admit
/// (refused, or of a kind without rules) or handed nothing for.
struct MachineAdmissions<Machine: LedgerStateMachine>: AdmittedRecords {
    let machine: Machine
    var values: [Machine.Admitted?]

    init(machine: Machine, count: Int) {
        self.machine = machine
        values = Array(repeating: nil, count: count)
    }

    func apply(_ record: AppliedRecord, at position: Int, in state: StateTransaction) throws -> ApplyOutcome {
        try machine.apply(record, admitted: values[position], in: state)
    }
}
