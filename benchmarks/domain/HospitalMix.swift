import YibaoDomain
import YibaoLedger
import YibaoLoadSupport

/// The batches of the hospital mix, by kind and number, and the order between them.
///
/// Invoice i belongs to hospital i % 300, as that hospital's (i / 300)-th invoice and settlement. The platform issues
/// invoices 1,000 a batch in index order; each hospital uploads its own settlements, up to 1,000 a batch, the
/// hospitals' batches interleaved round by round; the bureau locks every second invoice, then records entry for it.
struct HospitalMix: Sendable {
    enum Kind: Int, CaseIterable, Sendable, Comparable {
        case issue, upload, lock, entry
        var name: String { ["issue", "upload", "lock", "entry"][rawValue] }
        static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    /// One batch of the mix: the `number`-th batch of its kind.
    struct Step: Hashable, Sendable {
        let kind: Kind
        let number: Int
    }

    static let batchSize = 1_000
    let invoiceCount: Int
    let hospitalCount: Int
    let workload: SyntheticWorkload
    /// Settlements per hospital, and the upload batches as (hospital, round).
    private let settlementsOf: [Int]
    private let uploads: [(hospital: Int, round: Int)]

    init(invoices: Int, hospitals: Int, seed: UInt64) {
        invoiceCount = invoices
        hospitalCount = hospitals
        workload = SyntheticWorkload(hospitals: hospitals, seed: seed)
        settlementsOf = (0..<hospitals).map { h in h < invoices ? (invoices - h + hospitals - 1) / hospitals : 0 }
        var uploads: [(hospital: Int, round: Int)] = []
        for round in 0..<Self.batches(settlementsOf.max() ?? 0) {
            for h in 0..<hospitals where round * Self.batchSize < settlementsOf[h] { uploads.append((h, round)) }
        }
        self.uploads = uploads
    }

    static func batches(_ records: Int) -> Int { (records + batchSize - 1) / batchSize }

    var lockedCount: Int { (invoiceCount + 1) / 2 }

    func count(_ kind: Kind) -> Int {
        switch kind {
        case .issue: Self.batches(invoiceCount)
        case .upload: uploads.count
        case .lock, .entry: Self.batches(lockedCount)
        }
    }

    /// Who sends `step` and its records.
    func batch(_ step: Step) -> (org: String, records: [LedgerRecord]) {
        let k = step.number, size = Self.batchSize
        switch step.kind {
        case .issue:
            return (SyntheticWorkload.platformOrg,
                    InvoiceSettlementRecords.issue((k * size..<min(invoiceCount, (k + 1) * size)).map { workload.visit($0).invoice }))
        case .upload:
            let (h, round) = uploads[k]
            let visits = (round * size..<min(settlementsOf[h], (round + 1) * size)).map { workload.visitIndex(hospital: h, sequence: $0) }
            return (SyntheticWorkload.hospitalCode(h), InvoiceSettlementRecords.upload(visits.map { workload.visit($0).settlement }))
        case .lock, .entry:
            let action: InvoiceAction = step.kind == .lock ? .lock : .recordEntry
            return (SyntheticWorkload.bureauOrg, (k * size..<min(lockedCount, (k + 1) * size)).map {
                InvoiceSettlementRecords.statusChange(action, reference(ofVisit: 2 * $0), operatedTime: "2024-03-05 09:00:00")
            })
        }
    }

    /// The invoice of visit `index` as a lock or entry names it, from its keys alone (no visit is built).
    private func reference(ofVisit index: Int) -> InvoiceReference {
        let keys = workload.keys(ofVisit: index)
        return InvoiceReference(invoiceCode: keys.invoiceCode, invoiceNumber: keys.invoiceNumber, checkCode: keys.checkCode)
    }

    /// The batches that must be acknowledged before `step` is sent: a lock needs its invoices issued (lock batch j
    /// names the even visits of issue batches 2j and 2j+1), an entry needs its lock. Settlements need nothing: an
    /// upload before its invoice leaves the invoice to link at issue, one after it completes the pending link.
    func dependencies(of step: Step) -> [Step] {
        switch step.kind {
        case .issue, .upload: []
        case .lock: [2 * step.number, 2 * step.number + 1].filter { $0 < count(.issue) }.map { Step(kind: .issue, number: $0) }
        case .entry: [Step(kind: .lock, number: step.number)]
        }
    }

    /// Every batch in the order one stream sends them, as a day's traffic arrives: the hospitals' uploads spread
    /// evenly between the platform's issue batches, and each lock (entry) `lag` issue batches after the last batch it
    /// depends on, so that with that many issue batches in flight it seldom has to wait for one.
    func streamOrder(lag: Int) -> [Step] {
        let issues = count(.issue), uploadCount = count(.upload)
        var timed: [(time: Int, step: Step)] = []
        // Times in 1/uploadCount-ths of an issue batch, so the even spread of uploads stays in integers.
        let unit = max(1, uploadCount)
        for k in 0..<issues { timed.append((k * unit, Step(kind: .issue, number: k))) }
        for u in 0..<uploadCount { timed.append((u * issues, Step(kind: .upload, number: u))) }
        for j in 0..<count(.lock) {
            timed.append(((2 * j + 1 + lag) * unit, Step(kind: .lock, number: j)))
            timed.append(((2 * j + 1 + 2 * lag) * unit, Step(kind: .entry, number: j)))
        }
        return timed.sorted { ($0.time, $0.step.kind, $0.step.number) < ($1.time, $1.step.kind, $1.step.number) }.map(\.step)
    }
}
