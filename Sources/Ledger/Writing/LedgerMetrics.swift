import Metrics

/// What the committer reports about each group commit, through swift-metrics (the node exports them to
/// Prometheus; docs/node-and-cli.md, "Metrics", lists the names). Created once per ledger from
/// `LedgerConfiguration.metricsFactory`; recording is a few atomic adds per group, never per record.
public struct LedgerMetrics: Sendable {
    /// Records (entries and seals) per committed group: how much each commit's page writes and fsync are shared.
    let groupRecords: Recorder
    /// Replaying the writer's layer into LMDB's write transaction (memory only).
    let replay: Timer
    /// `mdb_txn_commit`: the dirty pages written and, when durable, the fsync.
    let commit: Timer
    let groupsCommitted: Counter
    let groupsFailed: Counter

    /// Public: the node sets this histogram's buckets by its label.
    public static let groupRecordsLabel = "yibao_ledger_group_records"
    static let replayLabel = "yibao_ledger_group_replay_seconds"
    static let commitLabel = "yibao_ledger_group_commit_seconds"

    init(factory: any MetricsFactory) {
        groupRecords = Recorder(label: Self.groupRecordsLabel, dimensions: [], aggregate: true, factory: factory)
        replay = Timer(label: Self.replayLabel, dimensions: [], factory: factory)
        commit = Timer(label: Self.commitLabel, dimensions: [], factory: factory)
        groupsCommitted = Counter(label: "yibao_ledger_groups_committed_total", dimensions: [], factory: factory)
        groupsFailed = Counter(label: "yibao_ledger_groups_failed_total", dimensions: [], factory: factory)
    }

    func record(group records: Int, replay replayTime: Duration, commit commitTime: Duration) {
        groupRecords.record(records)
        replay.record(duration: replayTime)
        commit.record(duration: commitTime)
        groupsCommitted.increment()
    }
}
