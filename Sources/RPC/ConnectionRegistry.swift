import NIOCore
import Synchronization

/// The open connections of a server, shared by every event loop that accepts: the connection cap, the cap per
/// peer address, and eviction. When the server is full, a newcomer takes the slot of a connection that has
/// never started a call (nor shown a verified certificate), which is closed: from the address holding the most
/// such idle connections, then by `ServerConnectionStateMachine.EvictionRank`, then the oldest. Only when every
/// connection is in use (or identified) is the newcomer refused.
/// So idle sockets and slowloris peers cannot lock clients out, and one address cannot take every slot.
final class ConnectionRegistry: Sendable {
    struct Limits {
        var maxConnections: Int
        var maxConnectionsPerAddress: Int
    }

    enum Admission: Equatable {
        case admitted
        case refusedFull
        case refusedAddress
    }

    private struct Entry {
        let channel: any Channel
        let address: String
        let sequence: UInt64
        var rank: ServerConnectionStateMachine.EvictionRank?
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var perAddress: [String: Int] = [:]
        var nextSequence: UInt64 = 0
        var evictions = 0
    }

    let limits: Limits
    private let state = Mutex(State())

    init(limits: Limits) {
        precondition(limits.maxConnections > 0 && limits.maxConnectionsPerAddress > 0, "connection limits must be positive")
        self.limits = limits
    }

    var count: Int { state.withLock { $0.entries.count } }
    var channels: [any Channel] { state.withLock { $0.entries.values.map(\.channel) } }
    /// Connections closed so far to make room for a newcomer.
    var evictions: Int { state.withLock { $0.evictions } }

    /// Takes a slot for a just-accepted channel (evicting an idle connection if need be). When admitted, the
    /// slot is freed when the channel closes.
    func admit(_ channel: any Channel) -> Admission {
        let key = ObjectIdentifier(channel)
        // The peer's IP without the port: one host, one budget.
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let (admission, evicted) = state.withLock { state -> (Admission, (any Channel)?) in
            guard state.perAddress[address, default: 0] < limits.maxConnectionsPerAddress else {
                return (.refusedAddress, nil)
            }
            var evicted: (any Channel)?
            if state.entries.count >= limits.maxConnections {
                // The address holding the most idle connections gives way first, so peers that reconnect as
                // fast as they are evicted churn their own slots, not a newcomer's from elsewhere.
                let candidates = state.entries.filter { $0.value.rank != nil }
                var idlePerAddress: [String: Int] = [:]
                for (_, entry) in candidates { idlePerAddress[entry.address, default: 0] += 1 }
                guard let victim = candidates.min(by: { left, right in
                    let l = left.value, r = right.value
                    return (-idlePerAddress[l.address]!, l.rank!, l.sequence) < (-idlePerAddress[r.address]!, r.rank!, r.sequence)
                }) else {
                    return (.refusedFull, nil)
                }
                remove(victim.key, from: &state)
                state.evictions += 1
                evicted = victim.value.channel
            }
            assert(state.entries.count < limits.maxConnections)
            state.entries[key] = Entry(channel: channel, address: address, sequence: state.nextSequence,
                                       rank: .beforePreface)
            state.nextSequence += 1
            state.perAddress[address, default: 0] += 1
            return (.admitted, evicted)
        }
        evicted?.close(promise: nil)
        if admission == .admitted {
            channel.closeFuture.whenComplete { [self] _ in
                state.withLock { remove(key, from: &$0) }
            }
        }
        return admission
    }

    /// The connection's `ServerConnectionStateMachine.evictionRank` changed (nil: not to be evicted).
    func update(_ channel: any Channel, rank: ServerConnectionStateMachine.EvictionRank?) {
        let key = ObjectIdentifier(channel)
        state.withLock { $0.entries[key]?.rank = rank }
    }

    private func remove(_ key: ObjectIdentifier, from state: inout State) {
        guard let entry = state.entries.removeValue(forKey: key) else { return }
        let left = state.perAddress[entry.address, default: 1] - 1
        state.perAddress[entry.address] = left > 0 ? left : nil
    }
}
