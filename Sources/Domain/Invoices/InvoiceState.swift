import YibaoCrypto
import YibaoLedger

/// The current state of one invoice as the ledger derives it from the invoice's entries: a pure value with a pure
/// transition function, applied by the ledger's single writer inside its transaction.
///
/// Conventions of `apply`:
/// - a refusal because of the state is `failedPrecondition` and says the state: "invoice K is ENTERED by org B; cannot lock";
/// - a wrong check code is `invalidArgument` ("check_code: does not match invoice K"): the caller sent a wrong value,
///   and no change of state would make it right. It is checked before anything else, so a caller without the check
///   code learns nothing about the invoice's state. The stored code is never quoted;
/// - an identical repeat of `issue` (same content, same org) returns the state unchanged: the caller writes no entry.
public struct InvoiceState: Hashable, Sendable {
    public let key: InvoiceKey
    public let checkCode: String
    public let colour: InvoiceColour
    public let issuingOrg: String
    /// SM3 of the issued invoice's canonical bytes.
    public let contentDigest: Digest32
    public internal(set) var status: InvoiceStatus
    public internal(set) var paperExchanged: Bool
    /// The org holding the lock (LOCKED) or that locked before entering (ENTERED).
    public internal(set) var lockingOrg: String?
    public internal(set) var enteringOrg: String?
    /// On a reversed blue invoice: the red invoice that reversed it.
    public internal(set) var reversedBy: InvoiceKey?
    /// On a red invoice: the blue invoice it reverses.
    public let reverses: InvoiceKey?
    /// The settlement this invoice is linked to (from its setl_id or an explicit link); empty if none.
    public internal(set) var setlId: String
    /// The invoice's `invoicing_party_code`: whose invoice it is to the permission matrix, kept here so a status
    /// change does not open the sealed invoice record to learn it. Empty in states written before it was kept.
    public let invoicingParty: String

    public init(key: InvoiceKey, checkCode: String, colour: InvoiceColour, issuingOrg: String, contentDigest: Digest32,
                status: InvoiceStatus = .issued, paperExchanged: Bool = false, lockingOrg: String? = nil,
                enteringOrg: String? = nil, reversedBy: InvoiceKey? = nil, reverses: InvoiceKey? = nil, setlId: String = "",
                invoicingParty: String = "") {
        self.key = key
        self.checkCode = checkCode
        self.colour = colour
        self.issuingOrg = issuingOrg
        self.contentDigest = contentDigest
        self.status = status
        self.paperExchanged = paperExchanged
        self.lockingOrg = lockingOrg
        self.enteringOrg = enteringOrg
        self.reversedBy = reversedBy
        self.reverses = reverses
        self.setlId = setlId
        self.invoicingParty = invoicingParty
    }

    /// The state of a newly issued invoice (blue or red). Validate the invoice first.
    /// `contentDigest`: the invoice's, if already computed (`Invoice.contentDigest` hashes its canonical bytes).
    public init(issuing invoice: Invoice, by org: String, contentDigest: Digest32? = nil) {
        self.init(key: invoice.key, checkCode: invoice.checkCode, colour: invoice.colour, issuingOrg: org,
                  contentDigest: contentDigest ?? invoice.contentDigest, reverses: invoice.relatedKey, setlId: invoice.setlId,
                  invoicingParty: invoice.invoicingPartyCode)
    }

    /// "ENTERED by org B", "ISSUED, paper exchanged", "REVERSED by red invoice K": the state as messages name it.
    public var summary: String {
        var text: String
        switch status {
        case .issued: text = "ISSUED"
        case .locked: text = "LOCKED by org \(lockingOrg ?? "?")"
        case .entered: text = "ENTERED by org \(enteringOrg ?? "?")"
        case .reversed: text = "REVERSED by red invoice \(reversedBy.map(String.init(describing:)) ?? "?")"
        }
        if colour == .red { text += " as a RED invoice reversing \(reverses.map(String.init(describing:)) ?? "?")" }
        if paperExchanged { text += ", paper exchanged" }
        return text
    }

    /// The state after `command` by `org`, or the refusal. Permission (may this org's role do this at all?) is
    /// `PermissionMatrix`'s job and comes first; this checks only the lifecycle.
    /// `issuedDigest`: for `.issue`, the invoice's content digest if already computed.
    public func apply(_ command: InvoiceCommand, by org: String, issuedDigest: Digest32? = nil) throws(LedgerError) -> InvoiceState {
        guard command.target == key else {
            throw LedgerError(.invalidArgument, "the command names invoice \(command.target), not \(key)")
        }
        if let presented = command.presentedCheckCode, presented != checkCode {
            throw LedgerError(.invalidArgument, field: "check_code", "does not match invoice \(key)")
        }
        if case .issue(let invoice) = command {
            guard (issuedDigest ?? invoice.contentDigest) == contentDigest, org == issuingOrg else {
                throw LedgerError(.alreadyExists,
                                  "invoice \(key) already exists (issued by org \(issuingOrg)) with different content; a correction is a red invoice and a new blue one")
            }
            return self
        }
        // Nothing happens to a red invoice after issue: it cannot be locked, entered, exchanged or reversed.
        guard colour == .blue else { throw refusal(command) }

        var next = self
        switch command {
        case .issue:
            preconditionFailure("handled above")
        case .reverse(let red):
            guard red.colour == .red else {
                throw LedgerError(.invalidArgument, "invoice \(red.key) is BLUE; only a RED invoice reverses another")
            }
            guard status == .issued else { throw refusal(command) }
            next.status = .reversed
            next.reversedBy = red.key
        case .exchangePaper:
            guard status == .issued, !paperExchanged else { throw refusal(command) }
            next.paperExchanged = true
        case .lock:
            guard status == .issued else { throw refusal(command) }
            next.status = .locked
            next.lockingOrg = org
        case .unlock:
            guard status == .locked else { throw refusal(command) }
            guard lockingOrg == org else { throw refusal(command, otherOrg: org) }
            next.status = .issued
            next.lockingOrg = nil
        case .recordEntry:
            guard status == .locked else { throw refusal(command) }
            guard lockingOrg == org else { throw refusal(command, otherOrg: org) }
            next.status = .entered
            next.enteringOrg = org
        case .revokeEntry:
            guard status == .entered else { throw refusal(command) }
            guard enteringOrg == org else { throw refusal(command, otherOrg: org) }
            next.status = .issued
            next.lockingOrg = nil
            next.enteringOrg = nil
        case .linkSettlement(_, let setlId):
            guard status != .reversed else { throw refusal(command) }
            if self.setlId == setlId { return self }  // already linked to it: an idempotent repeat
            guard self.setlId.isEmpty else {
                throw LedgerError(.failedPrecondition,
                                  "invoice \(key) is \(summary) and linked to settlement \(self.setlId); cannot link settlement \(setlId)")
            }
            next.setlId = setlId
        }
        return next
    }

    private func refusal(_ command: InvoiceCommand, otherOrg: String? = nil) -> LedgerError {
        if let otherOrg {
            return LedgerError(.failedPrecondition, "invoice \(key) is \(summary); org \(otherOrg) cannot \(command.verb)")
        }
        return LedgerError(.failedPrecondition, "invoice \(key) is \(summary); cannot \(command.verb)")
    }
}

/// Applies a command to an invoice that may not exist yet: issue creates it, everything else needs it.
public enum InvoiceLifecycle {
    /// `issuedDigest`: for `.issue`, the invoice's content digest if already computed (admission computes it).
    public static func apply(_ command: InvoiceCommand, to state: InvoiceState?, by org: String,
                             issuedDigest: Digest32? = nil) throws(LedgerError) -> InvoiceState {
        if let state { return try state.apply(command, by: org, issuedDigest: issuedDigest) }
        guard case .issue(let invoice) = command else {
            throw LedgerError(.notFound, "invoice \(command.target) does not exist; cannot \(command.verb)")
        }
        return InvoiceState(issuing: invoice, by: org, contentDigest: issuedDigest)
    }
}
