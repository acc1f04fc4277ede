import Synchronization

/// Damage the ledger found in its own store: bytes that no longer match what the ledger committed to (an entry
/// that does not hash to its leaf, a state record that disagrees with its entry, a tree head whose signature does
/// not verify) or pages LMDB cannot read.
public struct LedgerDamage: Sendable, Equatable, CustomStringConvertible {
    public enum FoundBy: String, Sendable {
        case startCheck = "the start check"
        case read = "a read"
        case write = "a write"
    }

    /// `dataLoss`, naming the ledger index or state key.
    public let error: LedgerError
    public let foundBy: FoundBy

    public var description: String { "\(error.message) (found by \(foundBy.rawValue))" }
}

/// The ledger's integrity state, one per open ledger. The first damage found turns the ledger read-only: writes are
/// refused with `dataLoss` from then on (appending over a store that no longer matches its tree would sign heads
/// over bytes nobody committed to), and observers (the node's health and log) hear of it exactly once. Reads go on:
/// each checks what it serves, so a read of an undamaged record is still answered and a damaged one is not.
final class LedgerIntegrity: Sendable {
    private struct State {
        var damage: LedgerDamage?
        var observers: [@Sendable (LedgerDamage) -> Void] = []
    }

    private let state = Mutex(State())

    var damage: LedgerDamage? { state.withLock { $0.damage } }

    /// Keeps the first damage and tells every observer; later damage is only thrown to its caller.
    func record(_ error: LedgerError, foundBy: LedgerDamage.FoundBy) {
        assert(error.code == .dataLoss, "only data loss is damage: \(error)")
        let (first, observers) = state.withLock { state -> (LedgerDamage?, [@Sendable (LedgerDamage) -> Void]) in
            guard state.damage == nil else { return (nil, []) }
            let damage = LedgerDamage(error: error, foundBy: foundBy)
            state.damage = damage
            return (damage, state.observers)
        }
        if let first { for observer in observers { observer(first) } }
    }

    /// Calls `observer` once, with the first damage: at once if the ledger is already damaged.
    func onDamage(_ observer: @escaping @Sendable (LedgerDamage) -> Void) {
        let already = state.withLock { state -> LedgerDamage? in
            if state.damage == nil { state.observers.append(observer) }
            return state.damage
        }
        if let already { observer(already) }
    }

    /// Throws once the store is known to be damaged.
    func checkWritable() throws(LedgerError) {
        guard let damage else { return }
        throw LedgerError(.dataLoss, "the ledger accepts no writes: its store is damaged (\(damage.error.message)). "
                          + "Stop the node and check the store with `yibao verify --data <folder>`")
    }

    /// Runs a read of the store. `dataLoss` from it (what it read does not match the ledger) is recorded; an LMDB
    /// error saying a page is damaged becomes `dataLoss` naming `what` was read, and is recorded too.
    func checking<R>(_ what: @autoclosure () -> String, foundBy: LedgerDamage.FoundBy = .read,
                     _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LedgerError where error.code == .dataLoss {
            record(error, foundBy: foundBy)
            throw error
        } catch let error as LMDBError where error.isCorruption {
            let damage = Self.unreadable(what(), error)
            record(damage, foundBy: foundBy)
            throw damage
        }
    }

    /// The `dataLoss` for a page LMDB cannot read while reading `what`.
    static func unreadable(_ what: String, _ error: LMDBError) -> LedgerError {
        LedgerError(.dataLoss, "\(what): the store cannot be read (\(error)); a page of data.mdb is damaged")
    }
}
