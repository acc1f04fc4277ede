import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// The writer finds a state database by name in `StateDatabaseTable` on every state read and write.
@Suite struct StateDatabaseTableTests {
    @Test func everyDeclaredNameFindsItsOwnDatabaseAndNoOtherNameFindsOne() {
        let names = InvoiceSettlementRules().databaseNames
        let databases = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, LMDBDatabase(handle: UInt32($0 + 2))) })
        let table = StateDatabaseTable(databases)
        for name in names {
            #expect(table[name]?.handle == databases[name]?.handle, "\(name)")
            // A name built at run time (not the same literal) is found as well.
            #expect(table[String(decoding: Array(name.utf8), as: UTF8.self)]?.handle == databases[name]?.handle)
        }
        for other in ["", "invoice", "invoicesx", "Invoices", "entries", "persons\0", names.joined()] {
            #expect(table[other] == nil, "\(other)")
        }
        // More names than the table's first size of 8 slots, so that it grows and its probe sequences get longer.
        let many = Dictionary(uniqueKeysWithValues: (0..<40).map { ("db\($0)", LMDBDatabase(handle: UInt32($0))) })
        let large = StateDatabaseTable(many)
        for (name, database) in many { #expect(large[name]?.handle == database.handle) }
        #expect(large["db40"] == nil)
    }
}
