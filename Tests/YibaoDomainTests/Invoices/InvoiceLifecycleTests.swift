import Foundation
import Testing
@testable import YibaoDomain
@testable import YibaoLedger

/// docs/requirements.md, Lifecycles as a table: every state × every command × the org holding the invoice (A) and another org (B).
/// "→ S" means the command succeeds and the invoice is then S; "✗ M" means failedPrecondition with message M.
@Suite struct InvoiceLifecycleTests {
    static let k = "46010624/0000000001"
    static let k2 = "46010624/0000000002"
    static let platform = DomainFixtures.platform

    static func blue() -> Invoice {
        var invoice = DomainFixtures.blueInvoice()
        invoice.setlId = ""  // so that linking succeeds in the table
        return invoice
    }

    static func states() throws -> [String: InvoiceState] {
        let ref = DomainFixtures.reference()
        let issued = InvoiceState(issuing: blue(), by: platform)
        let locked = try issued.apply(.lock(ref), by: "A")
        let paper = try issued.apply(.exchangePaper(ref), by: platform)
        let lockedPaper = try paper.apply(.lock(ref), by: "A")
        return [
            "lockedPaper": lockedPaper,
            "enteredPaper": try lockedPaper.apply(.recordEntry(ref), by: "A"),
            "reversedPaper": try paper.apply(.reverse(by: DomainFixtures.redInvoice()), by: platform),
            "issued": issued,
            "paper": try issued.apply(.exchangePaper(ref), by: platform),
            "locked": locked,
            "entered": try locked.apply(.recordEntry(ref), by: "A"),
            "reversed": try issued.apply(.reverse(by: DomainFixtures.redInvoice()), by: platform),
            "red": InvoiceState(issuing: DomainFixtures.redInvoice(), by: platform),
        ]
    }

    /// The commands, aimed at the state's own invoice with its check code.
    static func command(_ name: String, for state: InvoiceState) -> InvoiceCommand {
        let ref = InvoiceReference(invoiceCode: state.key.invoiceCode, invoiceNumber: state.key.invoiceNumber,
                                   checkCode: state.checkCode)
        switch name {
        case "exchangePaper": return .exchangePaper(ref)
        case "lock": return .lock(ref)
        case "unlock": return .unlock(ref)
        case "recordEntry": return .recordEntry(ref)
        case "revokeEntry": return .revokeEntry(ref)
        case "link": return .linkSettlement(ref, setlId: "S2")
        case "reverse":
            var red = DomainFixtures.redInvoice()
            red.invoiceNumber = state.key == DomainFixtures.blueKey ? DomainFixtures.redKey.invoiceNumber : "0000000003"
            red.relatedInvoiceCode = state.key.invoiceCode
            red.relatedInvoiceNumber = state.key.invoiceNumber
            return .reverse(by: red)
        default: fatalError("no command \(name)")
        }
    }

    static let table: [(state: String, command: String, byA: String, byB: String)] = [
        ("issued", "exchangePaper", "→ ISSUED, paper exchanged", "→ ISSUED, paper exchanged"),
        ("issued", "lock", "→ LOCKED by org A", "→ LOCKED by org B"),
        ("issued", "unlock", "✗ invoice \(k) is ISSUED; cannot unlock", "✗ invoice \(k) is ISSUED; cannot unlock"),
        ("issued", "recordEntry", "✗ invoice \(k) is ISSUED; cannot record entry", "✗ invoice \(k) is ISSUED; cannot record entry"),
        ("issued", "revokeEntry", "✗ invoice \(k) is ISSUED; cannot revoke entry", "✗ invoice \(k) is ISSUED; cannot revoke entry"),
        ("issued", "reverse", "→ REVERSED by red invoice \(k2)", "→ REVERSED by red invoice \(k2)"),
        ("issued", "link", "→ ISSUED", "→ ISSUED"),

        ("paper", "exchangePaper", "✗ invoice \(k) is ISSUED, paper exchanged; cannot exchange paper",
         "✗ invoice \(k) is ISSUED, paper exchanged; cannot exchange paper"),
        ("paper", "lock", "→ LOCKED by org A, paper exchanged", "→ LOCKED by org B, paper exchanged"),
        ("paper", "unlock", "✗ invoice \(k) is ISSUED, paper exchanged; cannot unlock",
         "✗ invoice \(k) is ISSUED, paper exchanged; cannot unlock"),
        ("paper", "recordEntry", "✗ invoice \(k) is ISSUED, paper exchanged; cannot record entry",
         "✗ invoice \(k) is ISSUED, paper exchanged; cannot record entry"),
        ("paper", "revokeEntry", "✗ invoice \(k) is ISSUED, paper exchanged; cannot revoke entry",
         "✗ invoice \(k) is ISSUED, paper exchanged; cannot revoke entry"),
        ("paper", "reverse", "→ REVERSED by red invoice \(k2), paper exchanged", "→ REVERSED by red invoice \(k2), paper exchanged"),
        ("paper", "link", "→ ISSUED, paper exchanged", "→ ISSUED, paper exchanged"),

        ("locked", "exchangePaper", "✗ invoice \(k) is LOCKED by org A; cannot exchange paper",
         "✗ invoice \(k) is LOCKED by org A; cannot exchange paper"),
        ("locked", "lock", "✗ invoice \(k) is LOCKED by org A; cannot lock", "✗ invoice \(k) is LOCKED by org A; cannot lock"),
        ("locked", "unlock", "→ ISSUED", "✗ invoice \(k) is LOCKED by org A; org B cannot unlock"),
        ("locked", "recordEntry", "→ ENTERED by org A", "✗ invoice \(k) is LOCKED by org A; org B cannot record entry"),
        ("locked", "revokeEntry", "✗ invoice \(k) is LOCKED by org A; cannot revoke entry",
         "✗ invoice \(k) is LOCKED by org A; cannot revoke entry"),
        ("locked", "reverse", "✗ invoice \(k) is LOCKED by org A; cannot reverse", "✗ invoice \(k) is LOCKED by org A; cannot reverse"),
        ("locked", "link", "→ LOCKED by org A", "→ LOCKED by org A"),

        ("entered", "exchangePaper", "✗ invoice \(k) is ENTERED by org A; cannot exchange paper",
         "✗ invoice \(k) is ENTERED by org A; cannot exchange paper"),
        ("entered", "lock", "✗ invoice \(k) is ENTERED by org A; cannot lock", "✗ invoice \(k) is ENTERED by org A; cannot lock"),
        ("entered", "unlock", "✗ invoice \(k) is ENTERED by org A; cannot unlock", "✗ invoice \(k) is ENTERED by org A; cannot unlock"),
        ("entered", "recordEntry", "✗ invoice \(k) is ENTERED by org A; cannot record entry",
         "✗ invoice \(k) is ENTERED by org A; cannot record entry"),
        ("entered", "revokeEntry", "→ ISSUED", "✗ invoice \(k) is ENTERED by org A; org B cannot revoke entry"),
        ("entered", "reverse", "✗ invoice \(k) is ENTERED by org A; cannot reverse", "✗ invoice \(k) is ENTERED by org A; cannot reverse"),
        ("entered", "link", "→ ENTERED by org A", "→ ENTERED by org A"),

        ("reversed", "exchangePaper", "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot exchange paper",
         "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot exchange paper"),
        ("reversed", "lock", "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot lock",
         "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot lock"),
        ("reversed", "unlock", "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot unlock",
         "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot unlock"),
        ("reversed", "recordEntry", "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot record entry",
         "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot record entry"),
        ("reversed", "revokeEntry", "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot revoke entry",
         "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot revoke entry"),
        ("reversed", "reverse", "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot reverse",
         "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot reverse"),
        ("reversed", "link", "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot link a settlement",
         "✗ invoice \(k) is REVERSED by red invoice \(k2); cannot link a settlement"),

        ("red", "exchangePaper", "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot exchange paper",
         "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot exchange paper"),
        ("red", "lock", "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot lock",
         "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot lock"),
        ("red", "unlock", "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot unlock",
         "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot unlock"),
        ("red", "recordEntry", "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot record entry",
         "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot record entry"),
        ("red", "revokeEntry", "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot revoke entry",
         "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot revoke entry"),
        ("red", "reverse", "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot reverse",
         "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot reverse"),
        ("red", "link", "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot link a settlement",
         "✗ invoice \(k2) is ISSUED as a RED invoice reversing \(k); cannot link a settlement"),
    ]

    /// LOCKED, ENTERED and REVERSED with paper exchanged behave exactly as without; only the state's summary
    /// (and so every message) carries ", paper exchanged".
    static let fullTable: [(state: String, command: String, byA: String, byB: String)] = table + table
        .filter { ["locked", "entered", "reversed"].contains($0.state) }
        .map { row in
            func withPaper(_ expected: String) -> String {
                expected.hasPrefix("→ ") ? expected + ", paper exchanged"
                    : expected.replacingOccurrences(of: "; ", with: ", paper exchanged; ", options: [], range: nil)
            }
            return (row.state + "Paper", row.command, withPaper(row.byA), withPaper(row.byB))
        }

    @Test func theTableCoversEveryStateCommandAndOrg() throws {
        let states = try Self.states()
        let commands = ["exchangePaper", "lock", "unlock", "recordEntry", "revokeEntry", "reverse", "link"]
        #expect(states.count == 9)
        #expect(Set(Self.fullTable.map { "\($0.state) \($0.command)" }).count == states.count * commands.count)
        #expect(Self.fullTable.count == states.count * commands.count)
    }

    @Test func everyTransition() throws {
        let states = try Self.states()
        for row in Self.fullTable {
            let state = try #require(states[row.state])
            for (org, expected) in [("A", row.byA), ("B", row.byB)] {
                let outcome: String
                do throws(LedgerError) {
                    outcome = "→ " + (try state.apply(Self.command(row.command, for: state), by: org).summary)
                } catch {
                    #expect(error.code == .failedPrecondition, "\(row.state) \(row.command) by \(org)")
                    outcome = "✗ " + error.message
                }
                #expect(outcome == expected, "\(row.state) \(row.command) by \(org)")
            }
        }
    }

    @Test func aWrongCheckCodeIsRefusedFirstWhateverTheState() throws {
        for (name, state) in try Self.states() {
            for command in ["exchangePaper", "lock", "unlock", "recordEntry", "revokeEntry", "link"] {
                let wrong: InvoiceCommand
                let ref = InvoiceReference(invoiceCode: state.key.invoiceCode, invoiceNumber: state.key.invoiceNumber, checkCode: "000000")
                switch command {
                case "exchangePaper": wrong = .exchangePaper(ref)
                case "lock": wrong = .lock(ref)
                case "unlock": wrong = .unlock(ref)
                case "recordEntry": wrong = .recordEntry(ref)
                case "revokeEntry": wrong = .revokeEntry(ref)
                default: wrong = .linkSettlement(ref, setlId: "S2")
                }
                #expect(throws: LedgerError(.invalidArgument, "check_code: does not match invoice \(state.key)"), "\(name) \(command)") {
                    try state.apply(wrong, by: "A")
                }
            }
        }
    }

    @Test func reissueIsIdempotentOnlyWhenIdentical() throws {
        for (name, state) in try Self.states() {
            let original = name == "red" ? DomainFixtures.redInvoice() : Self.blue()
            #expect(try state.apply(.issue(original), by: Self.platform) == state, "\(name)")
            var changed = original
            changed.payerPhone = "13900139000"
            let message = "invoice \(state.key) already exists (issued by org \(Self.platform)) with different content; a correction is a red invoice and a new blue one"
            #expect(throws: LedgerError(.alreadyExists, message), "\(name)") { try state.apply(.issue(changed), by: Self.platform) }
            #expect(throws: LedgerError(.alreadyExists, message), "\(name)") { try state.apply(.issue(original), by: "F2") }
        }
    }

    @Test func commandsOnAMissingInvoice() throws {
        #expect(throws: LedgerError(.notFound, "invoice \(Self.k) does not exist; cannot lock")) {
            try InvoiceLifecycle.apply(.lock(DomainFixtures.reference()), to: nil, by: "A")
        }
        #expect(throws: LedgerError(.notFound, "invoice \(Self.k) does not exist; cannot reverse")) {
            try InvoiceLifecycle.apply(.reverse(by: DomainFixtures.redInvoice()), to: nil, by: "A")
        }
        let issued = try InvoiceLifecycle.apply(.issue(Self.blue()), to: nil, by: Self.platform)
        #expect(issued == InvoiceState(issuing: Self.blue(), by: Self.platform))
        #expect(issued.status == .issued && issued.issuingOrg == Self.platform && !issued.paperExchanged)
    }

    @Test func aCommandForAnotherInvoiceIsAMistake() throws {
        let state = InvoiceState(issuing: Self.blue(), by: Self.platform)
        #expect(throws: LedgerError(.invalidArgument, "the command names invoice \(Self.k2), not \(Self.k)")) {
            try state.apply(.lock(DomainFixtures.reference(DomainFixtures.redKey)), by: "A")
        }
        var notRed = DomainFixtures.redInvoice()
        notRed.colour = .blue
        notRed.relatedInvoiceCode = ""
        notRed.relatedInvoiceNumber = ""
        #expect(throws: LedgerError.self) { try state.apply(.reverse(by: notRed), by: "A") }
    }

    /// 一票多报: once one bureau has entered the invoice, no one can lock or enter it again until that bureau
    /// revokes its entry.
    @Test func oneInvoiceCannotBeReimbursedTwice() throws {
        let ref = DomainFixtures.reference()
        var state = try InvoiceLifecycle.apply(.issue(Self.blue()), to: nil, by: Self.platform)
        state = try state.apply(.lock(ref), by: "A")
        #expect(state.lockingOrg == "A")
        state = try state.apply(.recordEntry(ref), by: "A")
        #expect(state.status == .entered && state.enteringOrg == "A")
        #expect(throws: LedgerError(.failedPrecondition, "invoice \(Self.k) is ENTERED by org A; cannot lock")) {
            try state.apply(.lock(ref), by: "B")
        }
        state = try state.apply(.revokeEntry(ref), by: "A")
        #expect(state.status == .issued && state.lockingOrg == nil && state.enteringOrg == nil)
        state = try state.apply(.lock(ref), by: "B")
        #expect(state.summary == "LOCKED by org B")
    }

    @Test func linkingIsOnceAndRepeatable() throws {
        let ref = DomainFixtures.reference()
        let linked = InvoiceState(issuing: DomainFixtures.blueInvoice(), by: Self.platform)
        #expect(linked.setlId == "S460106202403010001")
        #expect(try linked.apply(.linkSettlement(ref, setlId: "S460106202403010001"), by: "H") == linked)
        #expect(throws: LedgerError(.failedPrecondition,
                                    "invoice \(Self.k) is ISSUED and linked to settlement S460106202403010001; cannot link settlement S2")) {
            try linked.apply(.linkSettlement(ref, setlId: "S2"), by: "H")
        }
        let unlinked = InvoiceState(issuing: Self.blue(), by: Self.platform)
        #expect(try unlinked.apply(.linkSettlement(ref, setlId: "S2"), by: "H").setlId == "S2")
    }

    @Test func reversalLinksBothWays() throws {
        let blue = try InvoiceState(issuing: DomainFixtures.blueInvoice(), by: Self.platform)
            .apply(.reverse(by: DomainFixtures.redInvoice()), by: Self.platform)
        let red = InvoiceState(issuing: DomainFixtures.redInvoice(), by: Self.platform)
        #expect(blue.reversedBy == DomainFixtures.redKey)
        #expect(red.reverses == DomainFixtures.blueKey)
        #expect(red.colour == .red && blue.status == .reversed)
    }
}
