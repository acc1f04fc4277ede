/// Everything a caller can ask of the node that the permission matrix decides. The raw value names it in messages.
public enum DomainOperation: String, Sendable, CaseIterable {
    // Invoices
    case issueInvoice = "issue_invoice"
    case reverseInvoice = "reverse_invoice"
    case exchangePaper = "exchange_paper"
    case lockInvoice = "lock_invoice"
    case unlockInvoice = "unlock_invoice"
    case recordInvoiceEntry = "record_invoice_entry"
    case revokeInvoiceEntry = "revoke_invoice_entry"
    case linkInvoiceSettlement = "link_invoice_settlement"
    // Settlements
    case uploadSettlement = "upload_settlement"
    case revokeSettlement = "revoke_settlement"
    // Later stages, decided now so that the matrix is complete
    case submitFundBatch = "submit_fund_batch"
    case recordDisbursementResult = "record_disbursement_result"
    case publishPolicy = "publish_policy"
    case publishCatalog = "publish_catalog"
    case recordGrantUsage = "record_grant_usage"
    // Authorization (授权管理): a person's operator org grants or revokes a channel's read access
    case grantAccess = "grant_access"
    case revokeGrant = "revoke_grant"
    case registerOrg = "register_org"
    case rotateKey = "rotate_key"
    // Reads
    case readInvoice = "read_invoice"
    case readSettlement = "read_settlement"
    case reconcile
    case readFundBatch = "read_fund_batch"
    case readLedgerMetadata = "read_ledger_metadata"
    /// One raw ledger entry's plain bytes (`GetEntry`): they carry the writing org's PII.
    case readEntry = "read_entry"
    /// Every entry from an index on, live (`StreamEntries`): replicas and routers for auditors and regulators.
    case streamEntries = "stream_entries"

    public var isRead: Bool {
        switch self {
        case .readInvoice, .readSettlement, .reconcile, .readFundBatch, .readLedgerMetadata, .readEntry, .streamEntries: true
        default: false
        }
    }

    /// Reads whose answers carry PII (docs/requirements.md, Security: such reads are themselves recorded).
    public var readsPII: Bool {
        switch self {
        case .readInvoice, .readSettlement, .reconcile: true
        default: false
        }
    }
}
