import YibaoCrypto
import YibaoLedger

/// Digital account reads (数字账户 / 归户) on the service, each from one snapshot. The certno is hashed with the
/// node's `PersonIndexKey` and never stored or echoed. Reads are not authorized here (see the service).
extension InvoiceSettlementService {
    /// The most records one account page holds.
    public static let maxAccountPage = 1_000

    /// The key the ledger's rules hash persons with: derived from the node's data key.
    var personIndexKey: PersonIndexKey { ledger.dataKey.personIndex }

    /// The person's account key, as stored (e.g. to match `AuthorizationGrantState.person`).
    public func personKey(certno: String) -> PersonKey { personIndexKey.person(certno: certno) }

    /// The account of the person with this ID number; nil if no invoice or settlement named them yet.
    public func account(certno: String) throws -> DigitalAccount? {
        let person = personKey(certno: certno)
        return try ledger.readState { state in try DigitalAccountStore(state: state).account(person) }
    }

    /// The account opened for the 人员编号 of a settlement; nil if no settlement named it.
    public func account(psnNo: String) throws -> DigitalAccount? {
        let digest = personIndexKey.psnNo(psnNo)
        return try ledger.readState { state in
            let store = DigitalAccountStore(state: state)
            return try store.person(psnNo: digest).flatMap { try store.account($0) }
        }
    }

    /// Everything attached to the person's account, newest first: at most `pageSize` (1 to `maxAccountPage`)
    /// records older than `after` (the previous page's `next`; nil for the newest).
    public func accountRecords(certno: String, pageSize: Int = 50, after: UInt64? = nil) throws -> AccountRecordPage {
        guard (1...Self.maxAccountPage).contains(pageSize) else {
            throw LedgerError(.invalidArgument, "page_size: must be 1 to \(Self.maxAccountPage), got \(pageSize)")
        }
        let person = personKey(certno: certno)
        return try ledger.readState { state in
            // One more than asked says whether another page follows.
            let found = try DigitalAccountStore(state: state).records(person, after: after, limit: pageSize + 1)
            let page = Array(found.prefix(pageSize))
            return AccountRecordPage(records: page, next: found.count > pageSize ? page.last?.index : nil)
        }
    }
}
