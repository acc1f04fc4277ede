/// A workload the engine drives. Operations are numbered 0, 1, 2, ... across all workers; a scenario maps the
/// number to its data deterministically (operation n of the hospital feed is always the same batch), so a run's
/// records can be rebuilt and checked afterwards.
public protocol LoadScenario: Sendable {
    var name: String { get }
    /// Untimed set-up before the run (registering nothing, but e.g. loading the records a query mix reads).
    func prepare(log: @escaping @Sendable (String) -> Void) async throws
    /// Runs `body` as worker `index`; `body` calls `perform` for each operation the worker does. Scenarios with
    /// per-worker state (an open stream) hold it here for the worker's lifetime.
    func withWorker(_ index: Int, _ body: (_ perform: (_ operation: Int) async -> OperationOutcome) async -> Void) async
}

extension LoadScenario {
    public func prepare(log: @escaping @Sendable (String) -> Void) async throws {}
}

/// A scenario whose operations are independent calls: no per-worker state.
public protocol StatelessLoadScenario: LoadScenario {
    func perform(_ operation: Int) async -> OperationOutcome
}

extension StatelessLoadScenario {
    public func withWorker(_ index: Int, _ body: ((Int) async -> OperationOutcome) async -> Void) async {
        await body { await perform($0) }
    }
}
