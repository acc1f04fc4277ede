import CoreMetrics
import YibaoCrypto

/// Every limit of the ledger engine in one place; each one turns an unbounded input into a precise refusal.
public struct LedgerConfiguration: Sendable {
    /// Identifies this node in its genesis entry and in the entries it writes itself.
    public var nodeId = "yibao-node"
    public var hashAlgorithm = HashAlgorithm.sm3
    /// `true` (default): no receipt before the commit is fsynced.
    public var durable = true

    /// Largest encoded entry (header + payload).
    public var maxEntryBytes = 1 << 20
    public var maxRecordsPerBatch = 10_000
    /// Records waiting for the writer; beyond it submissions fail fast as overloaded.
    public var queueCapacityRecords = 200_000
    public var queueCapacityBytes = 512 << 20
    /// Most records and bytes one group commit takes from the queue. A group is only this large when writes queue
    /// faster than the disk commits them; then a larger group shares more B-tree pages among its records, so each
    /// record writes fewer bytes. With the mixed hospital day (`yibao-domain-bench --schedule stream`), 8,192 → 32,768
    /// took a million invoices from 9.3 to 5.6 KiB written per operation and from 17,390 to 28,612 operations/s.
    /// The record cap also bounds the heap: LMDB keeps a write transaction's dirty pages in malloc'd memory and caches
    /// them for reuse without ever shrinking the cache, so the largest group sets the node's resident heap (RssAnon
    /// 159 → 339 MiB in those runs), and the writer holds up to two groups' writes in its layers (the one it applies
    /// and the one committing). A group must also stay well under LMDB's 131,071 dirty pages per transaction, past
    /// which it writes pages out early: at 10 million invoices 32,768 records wrote 8.8 KiB each, ~72,000 pages.
    public var groupCommitMaxRecords = 32_768
    public var groupCommitMaxBytes = 32 << 20

    /// The node signs the newest tree head at most once per interval (an SM2 signature costs about 0.6 ms); each
    /// signed head covers every commit before it. Longer: less CPU under a trickle of small commits; shorter: a
    /// commit is covered by a signed head sooner. Zero signs after every commit the signer can keep up with.
    public var treeHeadInterval = Duration.milliseconds(10)

    /// The tx-hash index is kept off the commit path: new hashes wait in memory (rebuilt from the Merkle leaves
    /// after a crash) and are merged into the B-tree sorted, in slices, once this many have gathered or 1/32 of
    /// the ledger, whichever is larger — so each page copy carries many inserts.
    public var hashIndexFlushMinimum = 65_536
    public var hashIndexFlushSlice = 16_384

    /// Kinds an org may submit without rules of their own; anything else is refused by number.
    public var submittableKinds: [EntryKind] = [.attestation]
    /// The business rules, with their own kinds and state databases (nil: a plain attestation ledger).
    public var stateMachine: (any LedgerStateMachine)?
    /// Which part of an entry is sealed at rest with the node's data key (nil: every entry is stored in clear).
    public var entryPrivacy: (any EntryPrivacy)?

    /// What the ledger checks of its store when it opens (`LedgerStartCheck`); damage found opens it read-only.
    public var startCheck = LedgerStartCheckMode.quick

    public var initialMapSize = 1 << 30
    public var maximumMapSize = 1 << 40

    /// Where the engine reports its group commits (`LedgerMetrics`); by default nowhere.
    public var metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance

    public init() {}
}
