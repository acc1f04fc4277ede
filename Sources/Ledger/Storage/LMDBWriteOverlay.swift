/// What the writer sees while a group commits under it: the group it is applying (`live`, which takes every write),
/// over the group being committed (`committing`, read-only), over a read snapshot of the store. A key the newer
/// layer wrote hides the same key below it; a deletion hides it too. `LMDBTransaction` consults this before LMDB
/// when it carries one, so the state machine's code is the same whichever way it runs.
///
/// The snapshot is taken after the group below `committing` was committed, so nothing falls between the layers:
/// a key is either in a layer or already in the snapshot.
final class LMDBWriteOverlay: @unchecked Sendable {
    let live: LMDBWriteLayer
    let committing: LMDBWriteLayer?

    init(live: LMDBWriteLayer, committing: LMDBWriteLayer?) {
        self.live = live
        self.committing = committing
    }

    /// The newest layer's say on the key; nil when neither layer wrote it (ask the snapshot).
    func value(_ db: LMDBDatabase, _ key: UnsafeRawBufferPointer) -> LMDBWriteLayer.Slot? {
        let hash = LMDBWriteLayer.hash(db, key)
        if let slot = live.value(db, key, hash: hash) { return slot }
        return committing?.value(db, key, hash: hash)
    }

    /// The first key either layer wrote after `key` (or at it, if `inclusive`).
    func nextKey(_ db: LMDBDatabase, after key: [UInt8], inclusive: Bool) -> [UInt8]? {
        let upper = live.nextKey(db, after: key, inclusive: inclusive)
        guard let lower = committing?.nextKey(db, after: key, inclusive: inclusive) else { return upper }
        guard let upper else { return lower }
        return SortedByteKeys.compare(lower, upper) < 0 ? lower : upper
    }
}
