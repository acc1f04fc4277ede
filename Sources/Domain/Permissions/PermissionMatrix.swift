import YibaoLedger
/// The permission matrix of docs/requirements.md, Parties as a pure function. A refusal is `permissionDenied` naming the role, the org
/// and the operation; an allowed read says whether it must itself be recorded (docs/requirements.md, Security).
///
/// Interpretations where the requirements are silent:
/// - Ledger metadata (tree heads, proofs) is readable by every registered org: proofs are useless without it, and
///   it holds no record data.
/// - A raw entry (`readEntry`) is readable by the org that wrote it and, when the node wrote it (no record data),
///   by every org; anyone else's only by auditors and regulators, since its plain bytes carry PII. The live
///   stream of every entry (`streamEntries`) is for auditors and regulators only.
/// - A bureau's region is a prefix of the record's region; a bureau without a region on record may do nothing
///   region-scoped. Records without a region (a new policy, a catalog) are not region-scoped.
/// - A settlement may be revoked by its hospital (2208/2305 come from the hospital) and by the bureau (review).
/// - Every read of invoices or settlements is audited (they carry PII), as is every auditor / regulator read.
/// - Grants (授权) are given and revoked for a person through an operator org: the invoice platform (the person's
///   e-invoice wallet) or an insurance bureau (the 医保 app). Hospitals hold the data, channels receive it, and
///   neither may grant for the person; a grant names no region, so any bureau with a region may act.
public enum PermissionMatrix {
    public enum Authorization: Hashable, Sendable {
        case allowed
        /// Allowed, and the read must be recorded in the audit log.
        case allowedAudited
    }

    public static func authorize(_ caller: Caller, _ operation: DomainOperation,
                                 _ record: RecordOwnership = .none) throws(LedgerError) -> Authorization {
        if let reason = refusal(caller, operation, record) {
            throw LedgerError(.permissionDenied,
                              "role \(caller.role.rawValue) (org \(caller.org)) may not \(operation.rawValue)\(reason.isEmpty ? "" : ": \(reason)")")
        }
        // A raw entry an org wrote carries its record's PII in clear, whoever reads it (its writer included).
        let entryWithPII = operation == .readEntry && !record.isNodeWritten
        let audited = operation.readsPII || entryWithPII || (operation.isRead && [.auditor, .regulator].contains(caller.role))
        return audited ? .allowedAudited : .allowed
    }

    /// nil if allowed; otherwise why not ("" when the role may never do it).
    private static func refusal(_ caller: Caller, _ operation: DomainOperation, _ record: RecordOwnership) -> String? {
        if operation == .readLedgerMetadata { return nil }
        if operation == .readEntry || operation == .streamEntries { return entryRefusal(caller, operation, record) }
        switch caller.role {
        case .hospital:
            switch operation {
            case .uploadSettlement, .revokeSettlement, .linkInvoiceSettlement, .readInvoice, .readSettlement, .reconcile:
                return owns(caller, record)
            default: return ""
            }
        case .invoicePlatform:
            switch operation {
            case .issueInvoice, .reverseInvoice, .exchangePaper, .readInvoice, .grantAccess, .revokeGrant: return nil
            default: return ""
            }
        case .insuranceBureau:
            switch operation {
            case .lockInvoice, .unlockInvoice, .recordInvoiceEntry, .revokeInvoiceEntry, .revokeSettlement,
                 .submitFundBatch, .publishPolicy, .publishCatalog, .readInvoice, .readSettlement, .reconcile, .readFundBatch,
                 .grantAccess, .revokeGrant:
                return inRegion(caller, record)
            default: return ""
            }
        case .bank:
            switch operation {
            case .recordDisbursementResult, .readFundBatch:
                return record.addressee == caller.org ? nil : "the fund batch is not addressed to it"
            default: return ""
            }
        case .channel:
            switch operation {
            case .recordGrantUsage, .readInvoice, .readSettlement:
                return record.grantHolders.contains(caller.org) ? nil : "it holds no live grant covering the record"
            default: return ""
            }
        case .auditor, .regulator:
            return operation.isRead ? nil : "the role is read-only"
        case .nodeAdmin:
            switch operation {
            case .registerOrg, .rotateKey: return nil
            default: return ""
            }
        }
    }

    /// Raw entries: auditors and regulators read every one, and they alone stream them; any other org reads the
    /// entries it wrote and those the node wrote (no record data), not others' (their plain bytes carry PII).
    private static func entryRefusal(_ caller: Caller, _ operation: DomainOperation, _ record: RecordOwnership) -> String? {
        if [.auditor, .regulator].contains(caller.role) { return nil }
        if operation == .streamEntries { return "only auditors and regulators read every entry" }
        if record.isNodeWritten || record.owner == caller.org { return nil }
        return "it was written by org \(record.owner ?? "unknown") and may hold its PII"
    }

    private static func owns(_ caller: Caller, _ record: RecordOwnership) -> String? {
        guard let owner = record.owner, owner == caller.org else {
            return "the record belongs to \(record.owner ?? "no org"), not to it"
        }
        return nil
    }

    private static func inRegion(_ caller: Caller, _ record: RecordOwnership) -> String? {
        guard !caller.region.isEmpty else { return "the bureau has no region on record" }
        guard let region = record.region else { return nil }
        return region.hasPrefix(caller.region) ? nil : "the record's region \(region) is outside its region \(caller.region)"
    }
}
