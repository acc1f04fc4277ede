/// A state machine's databases by name, for the look-up every state read and write makes (a dozen per record on
/// the writer's serial path). A dictionary keyed by `String` seeds and runs SipHash over the name each time; this
/// table hashes the name's UTF-8 bytes with FNV-1a and probes a small open-addressed array instead.
struct StateDatabaseTable: Sendable {
    private struct Slot: Sendable {
        let name: String
        let database: LMDBDatabase
    }

    /// A power of two at least twice the number of names, so that every probe sequence ends at an empty slot.
    private let slots: [Slot?]

    init(_ databases: [String: LMDBDatabase]) {
        var capacity = 8
        while capacity < 2 * databases.count { capacity *= 2 }
        var slots = [Slot?](repeating: nil, count: capacity)
        for (name, database) in databases {
            var index = Self.hash(name) & (capacity - 1)
            while slots[index] != nil { index = (index + 1) & (capacity - 1) }
            slots[index] = Slot(name: name, database: database)
        }
        self.slots = slots
    }

    subscript(name: String) -> LMDBDatabase? {
        let mask = slots.count - 1
        var index = Self.hash(name) & mask
        while let slot = slots[index] {
            if slot.name == name { return slot.database }
            index = (index + 1) & mask
        }
        return nil
    }

    private static func hash(_ name: String) -> Int {
        var name = name
        return name.withUTF8 { bytes in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            return Int(truncatingIfNeeded: h ^ (h >> 32))
        }
    }
}
