import YibaoCrypto

/// The ledger's side of a damaged store (`LedgerIntegrity`, docs/ledger.md "Damaged stores"): what it found, who is
/// told, and the newest head only when it can be vouched for.
extension Ledger {
    /// The first damage found in the store (by the start check or a read), nil while none is known. Once set, every
    /// write is refused with `dataLoss`.
    public var damage: LedgerDamage? { integrity.damage }

    /// Calls `observer` once with the first damage found (at once if the store is already known damaged): the node
    /// turns its health NOT_SERVING and logs it.
    public func onDamage(_ observer: @escaping @Sendable (LedgerDamage) -> Void) {
        integrity.onDamage(observer)
    }

    /// A write's outcome: `dataLoss` met while applying it (a state record naming a damaged entry) is damage too.
    func recordingDamage<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as LedgerError where error.code == .dataLoss {
            integrity.record(error, foundBy: .write)
            throw error
        }
    }

    /// `latestTreeHead`, or `dataLoss` when the store's damage left the node without a head it can vouch for
    /// (nil: none signed yet).
    public func checkedLatestTreeHead() throws -> SignedTreeHead? {
        if let head = published.latestHead { return head }
        if let damage = integrity.damage { throw damage.error }
        return nil
    }
}
