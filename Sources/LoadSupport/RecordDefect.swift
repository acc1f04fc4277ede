/// A deliberate mistake in a synthetic record, and how the node must answer it: the load report checks that every
/// bad record failed alone, with this status, naming this field, while the good records around it landed.
public enum RecordDefect: String, Sendable, CaseIterable, Codable {
    /// Settlement: fund_pay_sumamt one fen off the sum of the funds (docs/requirements.md, Settlements, first invariant).
    case settlementFundSum = "settlement_fund_sum"
    /// Settlement: psn_part_amt one fen off acct_pay + psn_cash_pay (third invariant); medfee_sumamt follows it,
    /// so only this rule is broken.
    case settlementPersonalShare = "settlement_personal_share"
    /// Settlement: certno with a wrong GB 11643 check character.
    case settlementCertnoCheck = "settlement_certno_check"
    /// Invoice: total_amount one fen off the sum of the pay channels (and its items).
    case invoiceChannelSum = "invoice_channel_sum"
    /// Invoice: a negative own_pay_amount on a blue invoice.
    case invoiceNegativeAmount = "invoice_negative_amount"

    /// gRPC INVALID_ARGUMENT (3): every defect breaks a stateless rule.
    public var expectedStatusCode: Int { 3 }

    /// The field the refusal must name.
    public var expectedField: String {
        switch self {
        case .settlementFundSum: "fund_pay_sumamt"
        case .settlementPersonalShare: "psn_part_amt"
        case .settlementCertnoCheck: "certno"
        case .invoiceChannelSum: "total_amount"
        case .invoiceNegativeAmount: "own_pay_amount"
        }
    }

    /// Whether the invoice (else the settlement) of the visit carries the defect.
    public var inInvoice: Bool { self == .invoiceChannelSum || self == .invoiceNegativeAmount }
}
