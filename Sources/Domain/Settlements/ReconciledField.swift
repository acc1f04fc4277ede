/// The pairs 票实核对 compares (docs/requirements.md, Operations, spec 2.2.1.4.1.5), each named "settlement field vs invoice field".
public enum ReconciledField: String, Sendable, CaseIterable {
    case setlId = "setl_id"
    case date = "setl_time vs medical_date"
    case institutionCode = "fixmedins_code vs invoicing_party_code"
    case institutionName = "fixmedins_name vs invoicing_party_name"
    case personName = "psn_name vs payer_name"
    case totalAmount = "medfee_sumamt vs total_amount"
    case fundAmount = "fund_pay_sumamt vs fund_pay_amount"
    case accountAmount = "acct_pay vs account_pay_amount"
    case cashAmount = "psn_cash_pay vs own_pay_amount"

    /// Whether the two values are personal data (the report carries them; a reader's view may mask them).
    public var isPII: Bool { self == .personName }
}
